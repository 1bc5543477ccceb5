"""Statistics behind the culture dashboards: scale reliability and the impact estimate.

Pure functions over numbers (NumPy, no database; the sentences for HR and the numbers in
them are written in the reader's language, English outside a request), so the queries that
feed them and the charts that show them stay separate and the arithmetic can be checked
against worked examples.

* ``cronbach_alpha`` / ``AlphaAccumulator``: does a dimension's items hold
  together as one scale in a wave?
* ``difference_in_differences``: did participants' score change more than the
  comparison group's between the last wave before the programme and a wave
  after, with the warnings HR needs to read it honestly; ``describe`` turns it
  into one plain sentence. Its 95% interval is the percentile interval of a
  seeded cluster bootstrap that resamples people (pseudonyms), each drawn person
  bringing all their scores in every cell, so someone who answered before and
  after counts as one person, not as two independent answers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from flask_babel import gettext, lazy_gettext

from intrapreneur.core.dates import number_text

# Cronbach's alpha

# Relative size of the rounding noise a standard deviation is allowed to carry.
_ROUNDING = 1024 * np.finfo(float).eps


@dataclass(frozen=True)
class Alpha:
    alpha: float | None  # None when it cannot be computed (see cronbach_alpha)
    respondents: int  # complete rows used
    items: int
    incomplete: int  # rows left out because an item was missing


class AlphaAccumulator:
    """Cronbach's alpha fed row by row or batch by batch, e.g. from ``cursor.fetchmany()``.

    Keeps only the count, the means and the sums of squared deviations of each
    item and of the row total (items + 1 numbers each), merged with Chan et
    al.'s pairwise update: raw sums of squares would cancel catastrophically
    when the spread is small next to the mean. Batches are much cheaper per row
    than single rows.
    """

    def __init__(self) -> None:
        self._respondents = 0
        self._incomplete = 0
        self._items: int | None = None
        # Column i < items is item i, the last column is the row total.
        self._means = np.zeros(0)
        self._squares = np.zeros(0)

    def add(self, row: Sequence[float | None]) -> None:
        self.add_rows((row,))

    def add_rows(self, rows: Iterable[Sequence[float | None]]) -> None:
        """Add respondents' rows; a row with a missing item (None or NaN) is left out whole."""
        values = np.asarray(list(rows), dtype=float)  # None becomes NaN
        if values.size == 0:
            return
        if values.ndim != 2:
            raise ValueError("each row must be a sequence of item values")
        self._check_width(values.shape[1])
        complete = values[~np.isnan(values).any(axis=1)]
        self._incomplete += len(values) - len(complete)
        if len(complete):
            with_total = np.column_stack((complete, complete.sum(axis=1)))
            means = with_total.mean(axis=0)
            self._merge(len(complete), means, ((with_total - means) ** 2).sum(axis=0))

    def result(self) -> Alpha:
        items = self._items or 0
        alpha = None
        if items >= 2 and self._respondents >= 3:
            # Sample variances (ddof=1); the n − 1 cancels in the ratio anyway.
            variances = self._squares / (self._respondents - 1)
            item_variance, total_variance = variances[:-1].sum(), variances[-1]
            # Every respondent has the same total, up to the rounding noise of that total.
            if math.sqrt(total_variance) > _ROUNDING * (1.0 + abs(self._means[-1])):
                alpha = float(items / (items - 1) * (1.0 - item_variance / total_variance))
        return Alpha(alpha, self._respondents, items, self._incomplete)

    def _check_width(self, width: int) -> None:
        if self._items is None:
            self._items = width
            self._means = np.zeros(width + 1)
            self._squares = np.zeros(width + 1)
        elif width != self._items:
            raise ValueError(f"every row must have {self._items} items, got {width}")

    def _merge(self, count: int, means: np.ndarray, squares: np.ndarray) -> None:
        total = self._respondents + count
        delta = means - self._means
        self._means = self._means + delta * (count / total)
        self._squares = self._squares + squares + delta**2 * (self._respondents * count / total)
        self._respondents = total


def cronbach_alpha(rows: Iterable[Sequence[float | None]]) -> Alpha:
    """Cronbach's alpha of one dimension: k/(k−1) · (1 − Σ item variances / variance of totals).

    Each row is one respondent's scored item values for the dimension, reverse
    scoring already applied. Missing items are handled by listwise deletion: a
    row with any missing item (None or NaN) is left out whole and counted in
    ``incomplete``, so every variance comes from the same people. ``alpha`` is
    None with fewer than 2 items, fewer than 3 complete respondents, or when
    every respondent has the same total (zero variance). It can be negative
    (items that disagree); that is reported, not clipped.
    """
    accumulator = AlphaAccumulator()
    accumulator.add_rows(rows)
    return accumulator.result()


# Difference-in-differences

PARTICIPANTS_BEFORE = "participants before"
PARTICIPANTS_AFTER = "participants after"
COMPARISON_BEFORE = "comparison before"
COMPARISON_AFTER = "comparison after"

# Each cell's name as a sentence names it.
CELL_NAMES = {
    PARTICIPANTS_BEFORE: lazy_gettext("participants before"),
    PARTICIPANTS_AFTER: lazy_gettext("participants after"),
    COMPARISON_BEFORE: lazy_gettext("comparison before"),
    COMPARISON_AFTER: lazy_gettext("comparison after"),
}
PRE_TREND_WARNING = lazy_gettext(
    "Participants' and the comparison group's scores were already moving differently "
    "before the programme, so the estimate may be biased."
)
NO_PRE_TREND_CHECK = lazy_gettext(
    "Pre-programme trends could not be checked: that needs at least two survey waves "
    "before the programme."
)
MIN_RESAMPLES = 100
# The people × resamples count arrays of the bootstrap are drawn in blocks of about this
# many elements: fast, and memory stays near 2 MB whatever the number of people.
_BLOCK_ELEMENTS = 2**18
# One response in a cell: the respondent's pseudonym, the same in every wave, and the score.
Scored = tuple[str, float]
# One mean per cell, or one array of bootstrap means per cell.
Means = TypeVar("Means", float, np.ndarray)


@dataclass(frozen=True)
class Cell:
    respondents: int
    mean: float | None  # None when the cell has fewer than k respondents


@dataclass(frozen=True)
class DiDEstimate:
    estimate: float | None  # (participants after − before) − (comparison after − before)
    low: float | None  # 95% interval from the cluster bootstrap's percentiles
    high: float | None
    cells: dict[str, Cell]  # keyed by PARTICIPANTS_BEFORE, PARTICIPANTS_AFTER, …
    warnings: list[str]  # plain sentences
    shown: bool  # False when a cell is under k: then estimate, low and high are None


@dataclass(frozen=True)
class _Responses:
    """One cell's responses as arrays, sorted by pseudonym, then score."""

    pseudonyms: np.ndarray
    scores: np.ndarray


def difference_in_differences(
    participants_before: Sequence[Scored],
    participants_after: Sequence[Scored],
    comparison_before: Sequence[Scored],
    comparison_after: Sequence[Scored],
    *,
    k: int = 5,
    resamples: int = 2000,
    seed: int = 0,
    earlier_waves: Sequence[tuple[Sequence[Scored], Sequence[Scored]]] = (),
) -> DiDEstimate:
    """How much more participants' dimension score changed than the comparison group's.

    Each cell holds one (pseudonym, score) pair per response; the pseudonym is the
    person's, the same in every wave. The 95% interval is the percentile interval of a
    cluster bootstrap over people: each resample draws, with replacement, as many
    people as appear in any cell, and a drawn person brings all their scores in all
    four cells. Someone who answered both waves is thus drawn with both answers or
    with neither, which keeps the correlation of one person's answers over time;
    resampling the cells independently would ignore it and, as it is positive in
    practice, give too wide an interval. People who answered one wave only are
    clusters of one score, and a pseudonym found in both groups is one cluster like
    any other. The draws are seeded with ``numpy.random.default_rng(seed)``, so the
    same responses, in any order, always give the same interval. Pseudonyms are used
    only to tell people apart: nothing per person is returned.

    ``earlier_waves`` holds the (participants, comparison) responses of waves before
    the "before" wave, oldest first. With at least one of them, the change from
    the oldest wave in which both groups reach k to the "before" wave is
    compared between the groups, with the same cluster bootstrap; when that
    difference's 95% interval excludes 0 the pre-trends differ and a warning says so.

    When any of the four cells has fewer than ``k`` respondents no score is
    computed from it and no estimate is shown; a warning names the cell.
    ``Cell.respondents`` still holds the exact count: the anonymity rules decide
    how it is displayed.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if resamples < MIN_RESAMPLES:
        raise ValueError(f"a 95% interval needs at least {MIN_RESAMPLES} resamples")
    samples = {
        PARTICIPANTS_BEFORE: _responses(participants_before),
        PARTICIPANTS_AFTER: _responses(participants_after),
        COMPARISON_BEFORE: _responses(comparison_before),
        COMPARISON_AFTER: _responses(comparison_after),
    }
    small = [name for name, cell in samples.items() if len(cell.scores) < k]
    cells = {
        name: Cell(len(cell.scores), None if name in small else float(cell.scores.mean()))
        for name, cell in samples.items()
    }
    if small:
        warnings = [
            gettext(
                "The “%(group)s” group has fewer than %(k)s responses, so no estimate is shown.",
                group=CELL_NAMES[name],
                k=k,
            )
            for name in small
        ]
        return DiDEstimate(None, None, None, cells, warnings, shown=False)

    rng = np.random.default_rng(seed)
    estimate, low, high = _did_with_interval(list(samples.values()), resamples, rng)
    pre_trend = _pre_trend_warning(
        samples[PARTICIPANTS_BEFORE],
        samples[COMPARISON_BEFORE],
        earlier_waves,
        k=k,
        resamples=resamples,
        rng=rng,
    )
    return DiDEstimate(estimate, low, high, cells, [pre_trend] if pre_trend else [], shown=True)


def _responses(pairs: Sequence[Scored]) -> _Responses:
    """The cell's responses, sorted: the bootstrap numbers people in pseudonym order and
    sums their scores in the order given, so sorting makes the interval depend on the
    responses alone, not on the order the database returned them in (PostgreSQL gives
    no order without ORDER BY, and it varies)."""
    pseudonyms = np.array([pseudonym for pseudonym, _ in pairs], dtype=str)
    scores = np.array([score for _, score in pairs], dtype=float)
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite numbers; leave out respondents without a score")
    order = np.lexsort((scores, pseudonyms))
    return _Responses(pseudonyms[order], scores[order])


def _did_with_interval(
    cells: Sequence[_Responses], resamples: int, rng: np.random.Generator
) -> tuple[float, float, float]:
    """Point estimate and 95% cluster-bootstrap percentile interval for cells in the order
    treated before, treated after, control before, control after."""
    estimate = _did(*(cell.scores.mean() for cell in cells))
    replicates = _did(*_bootstrap_means(*_per_person(cells), resamples, rng).T)
    # A resample that drew nobody from some cell has no estimate (NaN). Leaving it out
    # conditions the interval on every cell being observed, as it was; with k or more
    # people in each cell such resamples are rare.
    low, high = np.percentile(replicates[~np.isnan(replicates)], [2.5, 97.5])
    return float(estimate), float(low), float(high)


def _did(
    treated_before: Means, treated_after: Means, control_before: Means, control_after: Means
) -> Means:
    """Works on scalars and, element by element, on arrays of bootstrap means."""
    return (treated_after - treated_before) - (control_after - control_before)


def _per_person(cells: Sequence[_Responses]) -> tuple[np.ndarray, np.ndarray]:
    """Each person's sum of scores and number of scores in each cell, as two
    people × cells arrays, people in pseudonym order. A person is a pseudonym,
    whichever cells it appears in."""
    people, person_of = np.unique(
        np.concatenate([cell.pseudonyms for cell in cells]), return_inverse=True
    )
    cell_of = np.repeat(np.arange(len(cells)), [len(cell.scores) for cell in cells])
    slot = person_of * len(cells) + cell_of
    size, shape = len(people) * len(cells), (len(people), len(cells))
    scores = np.concatenate([cell.scores for cell in cells])
    sums = np.bincount(slot, weights=scores, minlength=size).reshape(shape)
    counts = np.bincount(slot, minlength=size).reshape(shape)
    return sums, counts


def _bootstrap_means(
    sums: np.ndarray, counts: np.ndarray, resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Each cell's mean in each of ``resamples`` resamples of people (resamples × cells).

    A resample is summarised by how often it drew each person, so its totals per cell
    are one matrix product with the people's sums and counts: no resampled copy of the
    scores is ever built. NaN where a resample drew nobody from the cell."""
    people, cells = sums.shape
    per_person = np.hstack((sums, counts))
    totals = np.empty((resamples, 2 * cells))
    block = max(1, _BLOCK_ELEMENTS // people)
    for start in range(0, resamples, block):
        stop = min(start + block, resamples)
        totals[start:stop] = _times_drawn(people, stop - start, rng) @ per_person
    scores, responses = totals[:, :cells], totals[:, cells:]
    return np.divide(scores, responses, out=np.full_like(scores, np.nan), where=responses > 0)


def _times_drawn(people: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each person is drawn in each resample (resamples × people) when each
    resample draws ``people`` people with replacement."""
    picks = rng.integers(0, people, size=(resamples, people))
    picks += people * np.arange(resamples)[:, np.newaxis]  # resample r counts in row r
    return np.bincount(picks.reshape(-1), minlength=resamples * people).reshape(-1, people)


def _pre_trend_warning(
    participants_before: _Responses,
    comparison_before: _Responses,
    earlier_waves: Sequence[tuple[Sequence[Scored], Sequence[Scored]]],
    *,
    k: int,
    resamples: int,
    rng: np.random.Generator,
) -> str | None:
    if not earlier_waves:
        return str(NO_PRE_TREND_CHECK)
    earliest = next(
        (
            (participants, comparison)
            for participants, comparison in map(_earlier_wave, earlier_waves)
            if len(participants.scores) >= k and len(comparison.scores) >= k
        ),
        None,
    )
    if earliest is None:
        return gettext(
            "Pre-programme trends could not be checked: that needs at least two survey waves "
            "before the programme in which both groups have at least %(k)s responses.",
            k=k,
        )
    cells = [earliest[0], participants_before, earliest[1], comparison_before]
    _, low, high = _did_with_interval(cells, resamples, rng)
    return str(PRE_TREND_WARNING) if low > 0 or high < 0 else None


def _earlier_wave(
    wave: tuple[Sequence[Scored], Sequence[Scored]],
) -> tuple[_Responses, _Responses]:
    participants, comparison = wave
    return _responses(participants), _responses(comparison)


# The plain-language sentence

MINUS = "\N{MINUS SIGN}"


def describe(estimate: DiDEstimate, dimension_name: str) -> str:
    """One sentence for HR, e.g. "Participants' experimentation score rose 0.4 points
    more than the comparison group's (95% CI 0.1 to 0.7)."

    "Rose more" is relative: participants whose score fell less than the
    comparison group's also "rose more". An interval that includes 0 is said to
    be unclear rather than read as a rise or a fall.
    """
    value, low, high = estimate.estimate, estimate.low, estimate.high
    if not estimate.shown or value is None or low is None or high is None:
        reasons = " ".join(estimate.warnings)
        nothing = gettext(
            "No estimate is shown for the %(dimension)s score.", dimension=dimension_name
        )
        return f"{nothing} {reasons}".rstrip()
    # One decimal reads best, but not when it would round a figure to 0.0.
    decimals = 1 if min(abs(value), abs(low), abs(high)) >= 0.05 else 2
    numbers = {
        "dimension": dimension_name,
        "low": _signed(low, decimals),
        "high": _signed(high, decimals),
    }
    if low <= 0 <= high:
        return gettext(
            "Participants' %(dimension)s score changed about as much as the comparison "
            "group's; the difference is not clear: %(size)s points, 95%% CI %(low)s to "
            "%(high)s.",
            size=_signed(value, decimals),
            **numbers,
        )
    size = _signed(abs(value), decimals)
    if value > 0:
        return gettext(
            "Participants' %(dimension)s score rose %(size)s points more than the comparison "
            "group's (95%% CI %(low)s to %(high)s).",
            size=size,
            **numbers,
        )
    return gettext(
        "Participants' %(dimension)s score fell %(size)s points more than the comparison "
        "group's (95%% CI %(low)s to %(high)s).",
        size=size,
        **numbers,
    )


def _signed(number: float, decimals: int) -> str:
    """The number as the reader's language writes it ("0.4", "0,4"), with a true minus."""
    text = number_text(round(number, decimals) + 0.0, decimals)  # + 0.0 turns −0.0 into 0.0
    return text.replace("-", MINUS)
