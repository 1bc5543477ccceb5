"""Statistics behind the culture dashboards: scale reliability and the impact estimate.

Pure functions over numbers (NumPy, no database, no Flask), so the queries that
feed them and the charts that show them stay separate and the arithmetic can
be checked against worked examples.

* ``cronbach_alpha`` / ``AlphaAccumulator``: does a dimension's items hold
  together as one scale in a wave?
* ``difference_in_differences``: did participants' score change more than the
  comparison group's between the last wave before the programme and a wave
  after, with a seeded bootstrap 95% interval and the warnings HR needs to read
  it honestly; ``describe`` turns it into one plain sentence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

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

PRE_TREND_WARNING = (
    "Participants' and the comparison group's scores were already moving differently "
    "before the programme, so the estimate may be biased."
)
NO_PRE_TREND_CHECK = (
    "Pre-programme trends could not be checked: that needs at least two survey waves "
    "before the programme"
)
MIN_RESAMPLES = 100
# Bootstrap index arrays are drawn in blocks of about this many elements: fast,
# and memory stays near 2 MB whatever the sample size.
_BLOCK_ELEMENTS = 2**18
# One mean per cell, or one array of bootstrap means per cell.
Means = TypeVar("Means", float, np.ndarray)


@dataclass(frozen=True)
class Cell:
    respondents: int
    mean: float | None  # None when the cell has fewer than k respondents


@dataclass(frozen=True)
class DiDEstimate:
    estimate: float | None  # (participants after − before) − (comparison after − before)
    low: float | None  # 95% interval from the bootstrap percentiles
    high: float | None
    cells: dict[str, Cell]  # keyed by PARTICIPANTS_BEFORE, PARTICIPANTS_AFTER, …
    warnings: list[str]  # plain sentences
    shown: bool  # False when a cell is under k: then estimate, low and high are None


def difference_in_differences(
    participants_before: Sequence[float],
    participants_after: Sequence[float],
    comparison_before: Sequence[float],
    comparison_after: Sequence[float],
    *,
    k: int = 5,
    resamples: int = 2000,
    seed: int = 0,
    earlier_waves: Sequence[tuple[Sequence[float], Sequence[float]]] = (),
) -> DiDEstimate:
    """How much more participants' dimension score changed than the comparison group's.

    Each sequence holds one score per respondent. Respondents are the unit: the
    bootstrap resamples respondents within each of the four cells independently,
    seeded with ``numpy.random.default_rng(seed)``, so the same input always
    gives the same interval. Panel pairing is not used in this version, although
    the keyed pseudonym could link a person across waves: not everyone answers
    both waves, and handing individual trajectories to the estimator would carry
    per-person data past the anonymity rules. Treating waves as separate samples
    ignores the correlation of one person's answers over time; as that is
    positive in practice, the interval comes out wider (conservative), not narrower.

    ``earlier_waves`` holds the (participants, comparison) scores of waves before
    the "before" wave, oldest first. With at least one of them, the change from
    the oldest wave in which both groups reach k to the "before" wave is
    compared between the groups; when that difference's 95% interval excludes 0
    the pre-trends differ and a warning says so.

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
        PARTICIPANTS_BEFORE: _scores(participants_before),
        PARTICIPANTS_AFTER: _scores(participants_after),
        COMPARISON_BEFORE: _scores(comparison_before),
        COMPARISON_AFTER: _scores(comparison_after),
    }
    small = [name for name, scores in samples.items() if len(scores) < k]
    cells = {
        name: Cell(len(scores), None if name in small else float(scores.mean()))
        for name, scores in samples.items()
    }
    if small:
        warnings = [
            f'The "{name}" group has fewer than {k} responses, so no estimate is shown.'
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


def _scores(values: Sequence[float]) -> np.ndarray:
    """The cell's scores, sorted: the bootstrap draws by position, so sorting makes the
    interval depend on the scores alone, not on the order the database returned them in
    (PostgreSQL gives no order without ORDER BY, and it varies)."""
    scores = np.sort(np.asarray(values, dtype=float).reshape(-1))
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite numbers; leave out respondents without a score")
    return scores


def _did_with_interval(
    cells: list[np.ndarray], resamples: int, rng: np.random.Generator
) -> tuple[float, float, float]:
    """Point estimate and 95% percentile interval for cells in the order
    treated before, treated after, control before, control after."""
    estimate = _did(*(scores.mean() for scores in cells))
    replicates = _did(*(_bootstrap_means(scores, resamples, rng) for scores in cells))
    low, high = np.percentile(replicates, [2.5, 97.5])
    return float(estimate), float(low), float(high)


def _did(
    treated_before: Means, treated_after: Means, control_before: Means, control_after: Means
) -> Means:
    """Works on scalars and, element by element, on arrays of bootstrap means."""
    return (treated_after - treated_before) - (control_after - control_before)


def _bootstrap_means(scores: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``resamples`` samples drawn with replacement, vectorised block by block."""
    means = np.empty(resamples)
    block = max(1, _BLOCK_ELEMENTS // len(scores))
    for start in range(0, resamples, block):
        stop = min(start + block, resamples)
        picks = rng.integers(0, len(scores), size=(stop - start, len(scores)))
        means[start:stop] = scores[picks].mean(axis=1)
    return means


def _pre_trend_warning(
    participants_before: np.ndarray,
    comparison_before: np.ndarray,
    earlier_waves: Sequence[tuple[Sequence[float], Sequence[float]]],
    *,
    k: int,
    resamples: int,
    rng: np.random.Generator,
) -> str | None:
    if not earlier_waves:
        return NO_PRE_TREND_CHECK + "."
    earliest = next(
        (
            (participants, comparison)
            for participants, comparison in map(_earlier_wave, earlier_waves)
            if len(participants) >= k and len(comparison) >= k
        ),
        None,
    )
    if earliest is None:
        return f"{NO_PRE_TREND_CHECK} in which both groups have at least {k} responses."
    cells = [earliest[0], participants_before, earliest[1], comparison_before]
    _, low, high = _did_with_interval(cells, resamples, rng)
    return PRE_TREND_WARNING if low > 0 or high < 0 else None


def _earlier_wave(wave: tuple[Sequence[float], Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    participants, comparison = wave
    return _scores(participants), _scores(comparison)


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
        return f"No estimate is shown for the {dimension_name} score. {reasons}".rstrip()
    # One decimal reads best, but not when it would round a figure to 0.0.
    decimals = 1 if min(abs(value), abs(low), abs(high)) >= 0.05 else 2
    interval = f"95% CI {_signed(low, decimals)} to {_signed(high, decimals)}"
    subject = f"Participants' {dimension_name} score"
    if low <= 0 <= high:
        return (
            f"{subject} changed about as much as the comparison group's; the difference "
            f"is not clear: {_signed(value, decimals)} points, {interval}."
        )
    direction = "rose" if value > 0 else "fell"
    size = _signed(abs(value), decimals)
    return f"{subject} {direction} {size} points more than the comparison group's ({interval})."


def _signed(number: float, decimals: int) -> str:
    text = f"{round(number, decimals) + 0.0:.{decimals}f}"  # + 0.0 turns −0.0 into 0.0
    return text.replace("-", MINUS)
