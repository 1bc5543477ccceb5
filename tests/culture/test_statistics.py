"""Cronbach's alpha, the difference-in-differences estimate with its cluster-bootstrap
interval, and its sentence."""

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd  # statsmodels' own dependency: its formulas take DataFrames only
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.formula.api import ols

from intrapreneur.culture.statistics import (
    COMPARISON_AFTER,
    COMPARISON_BEFORE,
    PARTICIPANTS_AFTER,
    PARTICIPANTS_BEFORE,
    PRE_TREND_WARNING,
    AlphaAccumulator,
    Cell,
    DiDEstimate,
    Scored,
    cronbach_alpha,
    describe,
    difference_in_differences,
)

# Cronbach's alpha

WORKED_EXAMPLE = [(1, 2, 2), (2, 2, 3), (3, 4, 3), (4, 4, 5), (5, 5, 5)]


def test_alpha_of_the_worked_example():
    """Five respondents, three items, sample variances (ddof=1):

    item 1: 1 2 3 4 5, mean 3,   squared deviations 4+1+0+1+4 = 10,     variance 2.5
    item 2: 2 2 4 4 5, mean 3.4, 1.96+1.96+0.36+0.36+2.56 = 7.2,       variance 1.8
    item 3: 2 3 3 5 5, mean 3.6, 2.56+0.36+0.36+1.96+1.96 = 7.2,       variance 1.8
    totals: 5 7 10 13 15, mean 10, 25+9+0+9+25 = 68,                   variance 17

    alpha = 3/2 · (1 − (2.5 + 1.8 + 1.8) / 17) = 1.5 · 10.9 / 17 = 327/340 ≈ 0.9618
    """
    result = cronbach_alpha(WORKED_EXAMPLE)

    assert result.alpha == pytest.approx(327 / 340)
    assert (result.respondents, result.items, result.incomplete) == (5, 3, 0)


def test_alpha_is_zero_for_uncorrelated_items_and_one_for_identical_items():
    # Each item has variance 1/3; the totals 2 3 3 4 have variance 2/3, the sum of the two.
    assert cronbach_alpha([(1, 1), (2, 1), (1, 2), (2, 2)]).alpha == pytest.approx(0.0)
    assert cronbach_alpha([(1, 1, 1), (3, 3, 3), (4, 4, 4)]).alpha == pytest.approx(1.0)


def test_alpha_can_be_negative_when_items_disagree():
    assert cronbach_alpha([(1, 5), (2, 4), (4, 1)]).alpha < 0


def test_rows_with_a_missing_item_are_left_out_whole():
    rows = [*WORKED_EXAMPLE, (5, None, 1), (math.nan, 1, 1)]

    result = cronbach_alpha(rows)

    assert result.alpha == pytest.approx(327 / 340)
    assert (result.respondents, result.incomplete) == (5, 2)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="no rows"),
        pytest.param([(1,), (2,), (4,)], id="one item"),
        pytest.param([(1, 2), (3, 4)], id="two respondents"),
        pytest.param([(1, 3), (2, 2), (3, 1)], id="same total for everyone"),
        pytest.param([(1, 2), (3, 4), (None, 5), (2, None)], id="two complete rows"),
    ],
)
def test_alpha_is_none_when_it_cannot_be_computed(rows):
    assert cronbach_alpha(rows).alpha is None


def test_accumulator_fed_row_by_row_or_in_batches_matches_the_whole():
    rng = np.random.default_rng(1)
    rows = rng.integers(1, 6, size=(500, 4)).tolist()
    by_row, in_batches = AlphaAccumulator(), AlphaAccumulator()

    for row in rows:
        by_row.add(row)
    for start in range(0, len(rows), 64):
        in_batches.add_rows(rows[start : start + 64])

    whole = cronbach_alpha(rows)
    for accumulator in (by_row, in_batches):
        assert accumulator.result().alpha == pytest.approx(whole.alpha, rel=1e-12)
        assert accumulator.result().respondents == 500


def test_accumulator_stays_accurate_when_the_spread_is_small_next_to_the_mean():
    shifted = [[value + 1e9 for value in row] for row in WORKED_EXAMPLE]
    accumulator = AlphaAccumulator()

    for row in shifted:
        accumulator.add(row)

    assert accumulator.result().alpha == pytest.approx(327 / 340, rel=1e-6)


def test_rows_of_different_lengths_are_refused():
    accumulator = AlphaAccumulator()
    accumulator.add((1, 2, 3))

    with pytest.raises(ValueError, match="3 items"):
        accumulator.add((1, 2))


# Difference-in-differences


def spread(mean: float, respondents: int, width: float = 2.0) -> np.ndarray:
    """Scores spaced evenly and symmetrically around ``mean``, so their mean is ``mean``."""
    return mean + np.linspace(-width, width, respondents)


def answered(scores: Iterable[float], by: str) -> list[Scored]:
    """One response per score, each from a different person: "{by}-0", "{by}-1", …"""
    return [(f"{by}-{n}", float(score)) for n, score in enumerate(scores)]


def independent(*cells: Iterable[float]) -> list[list[Scored]]:
    """Cells whose responses all come from different people, as separate samples would."""
    return [answered(scores, f"cell-{index}") for index, scores in enumerate(cells)]


# Card & Krueger (1994), Table 3: mean full-time-equivalent employment per fast-food
# store in New Jersey (minimum wage raised) and Pennsylvania (not), before and after.
NEW_JERSEY_BEFORE, NEW_JERSEY_AFTER = 20.44, 21.03
PENNSYLVANIA_BEFORE, PENNSYLVANIA_AFTER = 23.33, 21.17
# (21.03 − 20.44) − (21.17 − 23.33) = 0.59 + 2.16; the paper reports 2.76 from unrounded data.
CARD_KRUEGER_DID = 2.75


def card_krueger(respondents: int, width: float = 9.0, **options) -> DiDEstimate:
    return difference_in_differences(
        *independent(
            spread(NEW_JERSEY_BEFORE, respondents, width),
            spread(NEW_JERSEY_AFTER, respondents, width),
            spread(PENNSYLVANIA_BEFORE, respondents, width),
            spread(PENNSYLVANIA_AFTER, respondents, width),
        ),
        **options,
    )


def test_card_and_krueger_estimate_from_constant_cells():
    result = difference_in_differences(
        *independent(
            [NEW_JERSEY_BEFORE] * 20,
            [NEW_JERSEY_AFTER] * 20,
            [PENNSYLVANIA_BEFORE] * 20,
            [PENNSYLVANIA_AFTER] * 20,
        )
    )

    assert result.shown
    assert result.estimate == pytest.approx(CARD_KRUEGER_DID, abs=0.01)
    # No spread within the cells, so nothing for the bootstrap to vary.
    assert result.low == pytest.approx(result.estimate)
    assert result.high == pytest.approx(result.estimate)


def test_card_and_krueger_estimate_with_spread_and_its_interval():
    small, large = card_krueger(80), card_krueger(800)

    for result in (small, large):
        assert result.estimate == pytest.approx(CARD_KRUEGER_DID, abs=0.01)
        assert result.low < result.estimate < result.high
    assert large.high - large.low < (small.high - small.low) / 2
    assert set(large.cells) == {
        PARTICIPANTS_BEFORE,
        PARTICIPANTS_AFTER,
        COMPARISON_BEFORE,
        COMPARISON_AFTER,
    }
    assert large.cells[PARTICIPANTS_BEFORE] == Cell(800, pytest.approx(NEW_JERSEY_BEFORE))
    assert large.cells[COMPARISON_AFTER] == Cell(800, pytest.approx(PENNSYLVANIA_AFTER))


def test_interval_width_matches_the_standard_error_of_independent_samples():
    """When every response is a different person's, resampling people is resampling the
    cells' respondents: the 95% interval should span about ±1.96 standard errors, where
    the variance of the estimate is the sum of the four cells' variances of the mean."""
    rng = np.random.default_rng(7)
    cells = [
        rng.normal(3.5, sd, size) for sd, size in ((1.0, 300), (1.2, 250), (0.8, 400), (1.1, 350))
    ]

    result = difference_in_differences(*independent(*cells))

    standard_error = math.sqrt(sum(cell.var(ddof=1) / len(cell) for cell in cells))
    assert (result.high - result.low) / 2 == pytest.approx(1.96 * standard_error, rel=0.1)


def test_same_seed_same_interval_and_another_seed_another():
    first, again, other = card_krueger(100), card_krueger(100), card_krueger(100, seed=1)

    assert first == again
    assert (other.low, other.high) != (first.low, first.high)
    assert other.estimate == first.estimate


def test_the_interval_does_not_depend_on_the_order_of_the_responses():
    """The database returns rows in no set order (PostgreSQL's changes from run to run)."""
    rng = np.random.default_rng(3)
    participants, comparison = ([f"{group}-{n}" for n in range(30)] for group in "pc")
    cells = [
        list(zip(people, rng.normal(mean, 0.8, 30).tolist(), strict=True))
        for people, mean in (
            (participants, 3.0),
            (participants, 3.6),
            (comparison, 3.1),
            (comparison, 3.2),
        )
    ]
    shuffled = [[cell[n] for n in rng.permutation(len(cell))] for cell in cells]

    assert difference_in_differences(*cells) == difference_in_differences(*shuffled)


@settings(max_examples=25, deadline=None)
@given(
    means=st.lists(st.floats(1, 7), min_size=4, max_size=4),
    respondents=st.integers(5, 40),
    shift=st.floats(-3, 3),
)
def test_adding_a_constant_to_every_cell_changes_nothing(means, respondents, shift):
    cells = [spread(mean, respondents, 1.5) for mean in means]

    plain = difference_in_differences(*independent(*cells), resamples=200)
    shifted = difference_in_differences(
        *independent(*(cell + shift for cell in cells)), resamples=200
    )

    assert shifted.estimate == pytest.approx(plain.estimate, abs=1e-9)
    assert shifted.low == pytest.approx(plain.low, abs=1e-9)
    assert shifted.high == pytest.approx(plain.high, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    means=st.lists(st.floats(1, 7), min_size=4, max_size=4),
    respondents=st.integers(5, 40),
)
def test_swapping_the_groups_negates_the_estimate(means, respondents):
    treated_before, treated_after, control_before, control_after = independent(
        *(spread(mean, respondents, 1.5) for mean in means)
    )

    forward = difference_in_differences(
        treated_before, treated_after, control_before, control_after
    )
    swapped = difference_in_differences(
        control_before, control_after, treated_before, treated_after
    )

    assert swapped.estimate == pytest.approx(-forward.estimate, abs=1e-9)


def test_a_cell_under_k_hides_the_estimate_and_says_which():
    result = difference_in_differences(
        *independent(spread(3, 20), spread(3.5, 20), spread(3, 4), spread(3, 20))
    )

    assert not result.shown
    assert (result.estimate, result.low, result.high) == (None, None, None)
    assert result.cells[COMPARISON_BEFORE] == Cell(4, None)
    assert result.cells[PARTICIPANTS_AFTER] == Cell(20, pytest.approx(3.5))
    assert result.warnings == [
        "The “comparison before” group has fewer than 5 responses, so no estimate is shown."
    ]


def test_exactly_k_responses_is_enough():
    # Twelve people: about one resample in nine draws nobody from some cell, and is
    # left out rather than spoiling the interval.
    result = difference_in_differences(*independent(*(spread(3, 3) for _ in range(4))), k=3)

    assert result.shown
    assert result.estimate == pytest.approx(0.0)
    assert result.low < 0.0 < result.high


def test_invalid_input_is_refused():
    cells = independent(*[spread(3, 10)] * 4)
    with pytest.raises(ValueError, match="finite"):
        difference_in_differences(answered([1.0, math.nan, 2.0], "someone"), *cells[1:])
    with pytest.raises(ValueError, match="resamples"):
        difference_in_differences(*cells, resamples=10)
    with pytest.raises(ValueError, match="k must"):
        difference_in_differences(*cells, k=0)


# People, not answers: the cluster bootstrap


def test_a_persons_own_level_cancels_out_of_their_change():
    """Everyone answered both waves and each person's score moved by exactly their group's
    change: people differ a lot, their changes not at all, so the interval has no width.
    Taking the same answers as different people's sees all the spread between people."""
    levels = spread(3.5, 40, width=1.5)
    panel = [
        answered(levels, "participant"),
        answered(levels + 0.6, "participant"),
        answered(levels, "comparison"),
        answered(levels + 0.2, "comparison"),
    ]

    result = difference_in_differences(*panel)
    as_strangers = difference_in_differences(
        *independent(levels, levels + 0.6, levels, levels + 0.2)
    )

    assert result.estimate == pytest.approx(0.4)
    assert result.high - result.low == pytest.approx(0.0, abs=1e-9)
    assert as_strangers.high - as_strangers.low > 0.5


def test_a_strong_person_effect_narrows_the_interval_as_much_as_theory_says():
    """Each of 300 participants and 300 comparison people answered both waves; their
    score is a lasting person effect (sd 1.0) plus noise (sd 0.4) in each wave.

    A person's change keeps only the noise, so the interval's width over the width when
    every answer is taken as a different person's should be sqrt(0.4² / (1.0² + 0.4²))
    ≈ 0.37. Over 40 seeds it ran 0.33–0.43, hence the 20% tolerance; ignoring who is who
    would give about 1, and it fails as well if the people were resampled too narrowly.
    """
    rng = np.random.default_rng(11)
    person_sd, noise_sd = 1.0, 0.4
    panel = []
    for group, change in (("participant", 0.7), ("comparison", 0.3)):
        level = rng.normal(3.5, person_sd, 300)
        panel += [
            answered(level + rng.normal(0, noise_sd, 300), group),
            answered(level + change + rng.normal(0, noise_sd, 300), group),
        ]
    as_strangers = [
        [(f"{pseudonym}-{wave}", score) for pseudonym, score in cell]
        for wave, cell in zip("baba", panel, strict=True)
    ]

    people, strangers = (difference_in_differences(*cells) for cells in (panel, as_strangers))

    expected = math.sqrt(noise_sd**2 / (person_sd**2 + noise_sd**2))
    ratio = (people.high - people.low) / (strangers.high - strangers.low)
    assert ratio == pytest.approx(expected, rel=0.2)
    assert people.estimate == strangers.estimate


def survey_panel(seed: int, people: int = 1200) -> pd.DataFrame:
    """One row per answer: each person has a lasting effect on their scores (sd 0.8);
    60% answered both waves, 20% only before, 20% only after; one in three is a
    participant, and one in fifty joined the programme between the waves (a comparison
    respondent before, a participant after, answering both). The programme adds 0.4."""
    rng = np.random.default_rng(seed)
    person = np.arange(people)
    level = 3.2 + rng.normal(0, 0.8, people)
    joined = person % 50 == 1
    participant = {0: (person % 3 == 0) & ~joined, 1: (person % 3 == 0) | joined}
    waves_answered = rng.choice(3, size=people, p=[0.6, 0.2, 0.2])  # both, before, after
    answered_wave = {0: (waves_answered != 2) | joined, 1: (waves_answered != 1) | joined}
    frames = []
    for after in (0, 1):
        who = answered_wave[after]
        treated = participant[after][who].astype(int)
        score = (
            level[who]
            + 0.2 * treated
            + 0.1 * after
            + 0.4 * treated * after
            + rng.normal(0, 0.6, who.sum())
        )
        frames.append(
            pd.DataFrame(
                {"person": person[who], "treated": treated, "after": after, "score": score}
            )
        )
    return pd.concat(frames, ignore_index=True)


def cells_of(panel: pd.DataFrame) -> list[list[Scored]]:
    """The four cells, in the order participants before, after, comparison before, after."""
    return [
        [(f"person-{row.person}", row.score) for row in cell.itertuples()]
        for cell in (
            panel[(panel.treated == treated) & (panel.after == after)]
            for treated, after in ((1, 0), (1, 1), (0, 0), (0, 1))
        )
    ]


def test_the_estimate_and_interval_agree_with_ols_clustered_by_person():
    """OLS of score ~ treated * after with standard errors clustered by person is the
    textbook estimate for this design: its interaction coefficient is the difference of
    the four cell means, and the cluster-robust interval is what the cluster bootstrap
    approximates. They are not the same interval: the bootstrap's is a percentile
    interval from 2,000 resamples (its ends vary by a few percent with the seed), the
    OLS one a normal ±1.96 standard errors. Over 40 generated panels the ratio of widths
    ran 0.96–1.04 (sd 0.02), so 0.9–1.1 allows for chance without hiding a real error:
    a bootstrap taking each answer as a different person's comes out 1.35 here."""
    panel = survey_panel(seed=5)
    fit = ols("score ~ treated * after", data=panel).fit(
        cov_type="cluster", cov_kwds={"groups": panel.person}
    )

    result = difference_in_differences(*cells_of(panel))

    assert result.estimate == pytest.approx(fit.params["treated:after"], abs=1e-9)
    ols_low, ols_high = fit.conf_int().loc["treated:after"]
    assert 0.9 <= (result.high - result.low) / (ols_high - ols_low) <= 1.1


# Pre-programme trends


def test_without_an_earlier_wave_the_pre_trend_is_not_checked():
    result = card_krueger(50)

    assert result.warnings == [
        "Pre-programme trends could not be checked: that needs at least two survey waves "
        "before the programme."
    ]


def three_waves(participants, comparison, older_waves=()) -> DiDEstimate:
    """Mean scores per group for the waves (earlier, before, after), 200 respondents each,
    all different people; ``older_waves`` go before the earlier one."""
    (
        participants_earlier,
        participants_before,
        participants_after,
        comparison_earlier,
        comparison_before,
        comparison_after,
    ) = independent(*(spread(mean, 200) for mean in (*participants, *comparison)))
    return difference_in_differences(
        participants_before,
        participants_after,
        comparison_before,
        comparison_after,
        earlier_waves=[*older_waves, (participants_earlier, comparison_earlier)],
    )


@pytest.mark.parametrize(
    ("participants", "warnings"),
    [
        pytest.param((3.0, 3.3, 3.9), [], id="both rose by 0.3 before: parallel"),
        pytest.param((2.5, 3.3, 3.9), [PRE_TREND_WARNING], id="participants already rising"),
    ],
)
def test_pre_trends_are_compared_between_the_groups(participants, warnings):
    result = three_waves(participants, comparison=(3.3, 3.6, 3.7))

    assert result.shown
    assert result.warnings == warnings


def test_the_oldest_wave_with_enough_responses_is_used_for_the_pre_trend():
    # Parallel, but under k.
    too_small = (answered(spread(3.3, 3), "oldest-p"), answered(spread(3.6, 3), "oldest-c"))

    result = three_waves((2.5, 3.3, 3.9), (3.3, 3.6, 3.7), older_waves=[too_small])

    assert result.warnings == [PRE_TREND_WARNING]


def people_over_three_waves(*, same_people: bool) -> DiDEstimate:
    """50 participants and 50 comparison people of different levels, whose scores in the
    waves (earlier, before, after) move by exactly their group's changes: participants
    +0.5 then +0.5, the comparison group +0.3 then +0.2. With ``same_people`` False each
    wave's answers are given to new people."""
    levels = spread(3.2, 50, width=1.5)
    waves = {
        "participant": [levels, levels + 0.5, levels + 1.0],
        "comparison": [levels, levels + 0.3, levels + 0.5],
    }
    (participants_earlier, *participants), (comparison_earlier, *comparison) = (
        [
            answered(scores, group if same_people else f"{group}-wave-{wave}")
            for wave, scores in enumerate(group_waves)
        ]
        for group, group_waves in waves.items()
    )
    return difference_in_differences(
        *participants, *comparison, earlier_waves=[(participants_earlier, comparison_earlier)]
    )


def test_the_pre_trend_check_follows_people_across_waves():
    """A pre-trend gap of 0.2 (0.5 against 0.3) is certain when each person is compared
    with themselves, and hidden by the spread between people when the same answers are
    taken as strangers'."""
    assert people_over_three_waves(same_people=True).warnings == [PRE_TREND_WARNING]
    assert people_over_three_waves(same_people=False).warnings == []


def test_earlier_waves_under_k_cannot_be_used_for_the_pre_trend():
    earlier = (answered(spread(3, 50), "earlier-p"), answered(spread(3, 4), "earlier-c"))

    result = difference_in_differences(
        *independent(*(spread(3, 50) for _ in range(4))), earlier_waves=[earlier]
    )

    assert result.warnings == [
        "Pre-programme trends could not be checked: that needs at least two survey waves "
        "before the programme in which both groups have at least 5 responses."
    ]


# The sentence


def estimate(value: float, low: float, high: float) -> DiDEstimate:
    return DiDEstimate(value, low, high, {}, [], shown=True)


@pytest.mark.parametrize(
    ("result", "sentence"),
    [
        pytest.param(
            estimate(0.4, 0.1, 0.7),
            "Participants' experimentation score rose 0.4 points more than the comparison "
            "group's (95% CI 0.1 to 0.7).",
            id="rose",
        ),
        pytest.param(
            estimate(-0.42, -0.71, -0.13),
            "Participants' experimentation score fell 0.4 points more than the comparison "
            "group's (95% CI −0.7 to −0.1).",
            id="fell",
        ),
        pytest.param(
            estimate(0.1, -0.1, 0.3),
            "Participants' experimentation score changed about as much as the comparison "
            "group's; the difference is not clear: 0.1 points, 95% CI −0.1 to 0.3.",
            id="unclear",
        ),
        pytest.param(
            estimate(0.04, 0.01, 0.07),
            "Participants' experimentation score rose 0.04 points more than the comparison "
            "group's (95% CI 0.01 to 0.07).",
            id="small effect keeps two decimals",
        ),
    ],
)
def test_describe(result, sentence):
    assert describe(result, "experimentation") == sentence


def test_describe_says_why_no_estimate_is_shown():
    result = difference_in_differences(
        *independent(spread(3, 2), spread(3, 20), spread(3, 20), spread(3, 20))
    )

    assert describe(result, "autonomy") == (
        "No estimate is shown for the autonomy score. The “participants before” group has "
        "fewer than 5 responses, so no estimate is shown."
    )


def test_describe_the_card_and_krueger_example():
    sentence = describe(card_krueger(400), "employment")

    assert sentence.startswith("Participants' employment score rose 2.")
    assert "points more than the comparison group's (95% CI " in sentence
