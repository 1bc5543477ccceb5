"""Cronbach's alpha, the difference-in-differences estimate and its sentence."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intrapreneur.culture.statistics import (
    COMPARISON_AFTER,
    COMPARISON_BEFORE,
    PARTICIPANTS_AFTER,
    PARTICIPANTS_BEFORE,
    PRE_TREND_WARNING,
    AlphaAccumulator,
    Cell,
    DiDEstimate,
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


# Card & Krueger (1994), Table 3: mean full-time-equivalent employment per fast-food
# store in New Jersey (minimum wage raised) and Pennsylvania (not), before and after.
NEW_JERSEY_BEFORE, NEW_JERSEY_AFTER = 20.44, 21.03
PENNSYLVANIA_BEFORE, PENNSYLVANIA_AFTER = 23.33, 21.17
# (21.03 − 20.44) − (21.17 − 23.33) = 0.59 + 2.16; the paper reports 2.76 from unrounded data.
CARD_KRUEGER_DID = 2.75


def card_krueger(respondents: int, width: float = 9.0, **options) -> DiDEstimate:
    return difference_in_differences(
        spread(NEW_JERSEY_BEFORE, respondents, width),
        spread(NEW_JERSEY_AFTER, respondents, width),
        spread(PENNSYLVANIA_BEFORE, respondents, width),
        spread(PENNSYLVANIA_AFTER, respondents, width),
        **options,
    )


def test_card_and_krueger_estimate_from_constant_cells():
    result = difference_in_differences(
        [NEW_JERSEY_BEFORE] * 20,
        [NEW_JERSEY_AFTER] * 20,
        [PENNSYLVANIA_BEFORE] * 20,
        [PENNSYLVANIA_AFTER] * 20,
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
    """The bootstrap's 95% interval should span about ±1.96 standard errors, where the
    variance of the estimate is the sum of the four cells' variances of the mean."""
    rng = np.random.default_rng(7)
    cells = [
        rng.normal(3.5, sd, size) for sd, size in ((1.0, 300), (1.2, 250), (0.8, 400), (1.1, 350))
    ]

    result = difference_in_differences(*cells)

    standard_error = math.sqrt(sum(cell.var(ddof=1) / len(cell) for cell in cells))
    assert (result.high - result.low) / 2 == pytest.approx(1.96 * standard_error, rel=0.1)


def test_same_seed_same_interval_and_another_seed_another():
    first, again, other = card_krueger(100), card_krueger(100), card_krueger(100, seed=1)

    assert first == again
    assert (other.low, other.high) != (first.low, first.high)
    assert other.estimate == first.estimate


def test_the_interval_does_not_depend_on_the_order_of_the_scores():
    """The database returns rows in no set order (PostgreSQL's changes from run to run)."""
    rng = np.random.default_rng(3)
    cells = [rng.normal(mean, 0.8, 30) for mean in (3.0, 3.6, 3.1, 3.2)]
    shuffled = [rng.permutation(cell) for cell in cells]

    assert difference_in_differences(*cells) == difference_in_differences(*shuffled)


@settings(max_examples=25, deadline=None)
@given(
    means=st.lists(st.floats(1, 7), min_size=4, max_size=4),
    respondents=st.integers(5, 40),
    shift=st.floats(-3, 3),
)
def test_adding_a_constant_to_every_cell_changes_nothing(means, respondents, shift):
    cells = [spread(mean, respondents, 1.5) for mean in means]

    plain = difference_in_differences(*cells, resamples=200)
    shifted = difference_in_differences(*(cell + shift for cell in cells), resamples=200)

    assert shifted.estimate == pytest.approx(plain.estimate, abs=1e-9)
    assert shifted.low == pytest.approx(plain.low, abs=1e-9)
    assert shifted.high == pytest.approx(plain.high, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    means=st.lists(st.floats(1, 7), min_size=4, max_size=4),
    respondents=st.integers(5, 40),
)
def test_swapping_the_groups_negates_the_estimate(means, respondents):
    treated_before, treated_after, control_before, control_after = (
        spread(mean, respondents, 1.5) for mean in means
    )

    forward = difference_in_differences(
        treated_before, treated_after, control_before, control_after
    )
    swapped = difference_in_differences(
        control_before, control_after, treated_before, treated_after
    )

    assert swapped.estimate == pytest.approx(-forward.estimate, abs=1e-9)


def test_a_cell_under_k_hides_the_estimate_and_says_which():
    result = difference_in_differences(spread(3, 20), spread(3.5, 20), spread(3, 4), spread(3, 20))

    assert not result.shown
    assert (result.estimate, result.low, result.high) == (None, None, None)
    assert result.cells[COMPARISON_BEFORE] == Cell(4, None)
    assert result.cells[PARTICIPANTS_AFTER] == Cell(20, pytest.approx(3.5))
    assert result.warnings == [
        'The "comparison before" group has fewer than 5 responses, so no estimate is shown.'
    ]


def test_exactly_k_responses_is_enough():
    result = difference_in_differences(*(spread(3, 3) for _ in range(4)), k=3)

    assert result.shown
    assert result.estimate == pytest.approx(0.0)


def test_invalid_input_is_refused():
    cells = [spread(3, 10)] * 4
    with pytest.raises(ValueError, match="finite"):
        difference_in_differences([1.0, math.nan, 2.0], *cells[1:])
    with pytest.raises(ValueError, match="resamples"):
        difference_in_differences(*cells, resamples=10)
    with pytest.raises(ValueError, match="k must"):
        difference_in_differences(*cells, k=0)


# Pre-programme trends


def test_without_an_earlier_wave_the_pre_trend_is_not_checked():
    result = card_krueger(50)

    assert result.warnings == [
        "Pre-programme trends could not be checked: that needs at least two survey waves "
        "before the programme."
    ]


def three_waves(participants, comparison, older_waves=()) -> DiDEstimate:
    """Mean scores per group for the waves (earlier, before, after), 200 respondents each;
    ``older_waves`` go before the earlier one."""
    (participants_earlier, *participants_rest), (comparison_earlier, *comparison_rest) = (
        [spread(mean, 200) for mean in group] for group in (participants, comparison)
    )
    return difference_in_differences(
        *participants_rest,
        *comparison_rest,
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
    too_small = (spread(3.3, 3), spread(3.6, 3))  # parallel, but under k

    result = three_waves((2.5, 3.3, 3.9), (3.3, 3.6, 3.7), older_waves=[too_small])

    assert result.warnings == [PRE_TREND_WARNING]


def test_earlier_waves_under_k_cannot_be_used_for_the_pre_trend():
    result = difference_in_differences(
        *(spread(3, 50) for _ in range(4)), earlier_waves=[(spread(3, 50), spread(3, 4))]
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
    result = difference_in_differences(spread(3, 2), spread(3, 20), spread(3, 20), spread(3, 20))

    assert describe(result, "autonomy") == (
        'No estimate is shown for the autonomy score. The "participants before" group has '
        "fewer than 5 responses, so no estimate is shown."
    )


def test_describe_the_card_and_krueger_example():
    sentence = describe(card_krueger(400), "employment")

    assert sentence.startswith("Participants' employment score rose 2.")
    assert "points more than the comparison group's (95% CI " in sentence
