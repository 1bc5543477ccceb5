"""The impact estimate page: the difference in differences from respondents' scores, shown only
where every cell passes the anonymity rules, with its chart carrying the table's numbers."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from datetime import date

import pytest
from flask.testing import FlaskClient

from intrapreneur.culture import services
from intrapreneur.culture.models import SurveyGroup, SurveyWave
from intrapreneur.culture.statistics import NO_PRE_TREND_CHECK, PRE_TREND_WARNING
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import Cohort, Programme
from tests.conftest import sign_in_as
from tests.culture import builders as b

DIMENSION = "experimentation"
SPREAD = [3.0, 3.2, 3.4, 3.6, 3.8, 3.0]  # six respondents, enough for k = 5
COMPARISON = [2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 2.8, 3.0]


def raised(scores: Sequence[float], by: float) -> list[float]:
    return [score + by for score in scores]


def scored(
    wave: SurveyWave, group: SurveyGroup, scores: Sequence[float], cohort: Cohort | None = None
) -> None:
    b.respond_with_scores(wave, group, DIMENSION, scores, cohort)


@pytest.fixture
def hr_client(client: FlaskClient, make_person: Callable[..., Person]) -> FlaskClient:
    sign_in_as(client, make_person(Role.HR))
    return client


def estimate_page(
    client: FlaskClient, before: SurveyWave, after: SurveyWave, **extra: object
) -> tuple[int, str]:
    publish()
    query = {"dimension": DIMENSION, "before": before.id, "after": after.id, **extra}
    response = client.get("/culture/impact", query_string=query)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def publish() -> None:
    """The job's work once waves have closed: the page offers published waves only."""
    services.publish_closed_waves(date.today())
    db.session.commit()


def two_waves(participants: Sequence[float] = SPREAD) -> tuple[SurveyWave, SurveyWave]:
    """Participants rise by 1.0 between the waves, the comparison group by 0.2."""
    before, after = b.wave("Before"), b.wave("After")
    scored(before, b.P, participants)
    scored(after, b.P, raised(participants, 1.0))
    scored(before, b.C, COMPARISON)
    scored(after, b.C, raised(COMPARISON, 0.2))
    return before, after


def table_means(page: str) -> list[float]:
    rows = re.findall(r"<td>(\d+)</td><td>(\d+\.\d\d)</td>", page)
    return [float(mean) for _, mean in rows]


def chart_data(page: str) -> list[dict[str, object]]:
    block = re.search(r'id="impact-chart-figure"[^>]*>(.*?)</script>', page, re.S)
    assert block, "the page has the chart"
    return json.loads(block.group(1))["data"]


def test_the_estimate_is_the_difference_of_the_changes(hr_client: FlaskClient) -> None:
    before, after = two_waves()

    status, page = estimate_page(hr_client, before, after)

    assert status == 200
    assert "Participants' experimentation score rose 0.8 points more than" in page
    assert "<dd>0.80 points (95% interval" in page
    assert str(NO_PRE_TREND_CHECK) in page
    participants_before = sum(SPREAD) / len(SPREAD)
    assert table_means(page) == [
        round(participants_before, 2),
        round(participants_before + 1.0, 2),
        round(sum(COMPARISON) / len(COMPARISON), 2),
        round(sum(COMPARISON) / len(COMPARISON) + 0.2, 2),
    ]


def test_the_chart_carries_the_tables_numbers(hr_client: FlaskClient) -> None:
    before, after = two_waves()

    _, page = estimate_page(hr_client, before, after)

    participants, comparison, counterfactual = chart_data(page)
    means = table_means(page)
    assert participants["y"] == means[:2] and comparison["y"] == means[2:]
    assert participants["x"] == ["Before", "After"]
    expected = round(means[0] + means[3] - means[2], 2)
    assert counterfactual["y"] == [means[0], expected]
    assert f"<td>—</td><td>{expected:.2f}</td>" in page


def test_the_same_answers_give_the_same_interval(hr_client: FlaskClient) -> None:
    before, after = two_waves()
    first, again = (estimate_page(hr_client, before, after)[1] for _ in range(2))
    # The sign-out form's CSRF token carries a timestamp: it differs across a second.
    result = re.compile(r'<section aria-labelledby="result-heading">.*?</section>', re.S)
    assert result.search(first).group(0) == result.search(again).group(0)  # type: ignore[union-attr]
    assert "95% interval" in result.search(first).group(0)  # type: ignore[union-attr]


def test_a_cell_under_k_hides_the_estimate_and_its_figures(hr_client: FlaskClient) -> None:
    before, after = b.wave("Before"), b.wave("After")
    scored(before, b.P, [4.37, 4.37, 4.37])
    scored(after, b.P, raised(SPREAD, 1.0))
    scored(before, b.C, COMPARISON)
    scored(after, b.C, raised(COMPARISON, 0.2))

    status, page = estimate_page(hr_client, before, after)

    assert status == 200
    assert "No estimate is shown for the experimentation score." in page
    assert "The “participants before” group has fewer than 5 responses" in html.unescape(page)
    assert "hidden: fewer than 5 responses" in page
    assert "4.37" not in page and "<td>3</td>" not in page
    assert "impact-chart" not in page and "Difference in differences" not in page


def test_a_cohort_is_hidden_when_the_other_participants_are_fewer_than_k(
    hr_client: FlaskClient,
) -> None:
    """Six in one cohort and two in another: showing the six beside all eight participants
    would reveal the two by subtraction, so the dashboards hide both, and so does this page."""
    programme = Programme(name="Ignite")
    first, second = (
        Cohort(programme=programme, name=name, starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 1))
        for name in ("Spring", "Summer")
    )
    db.session.add_all([first, second])
    before, after = b.wave("Before"), b.wave("After")
    before.cohorts, after.cohorts = [first, second], [first, second]
    for wave, lift in ((before, 0.0), (after, 1.0)):
        scored(wave, b.P, raised(SPREAD, lift), first)
        scored(wave, b.P, raised([2.0, 2.5], lift), second)
        scored(wave, b.C, raised(COMPARISON, lift / 5))

    status, page = estimate_page(hr_client, before, after, cohort=first.id)

    assert status == 200
    assert "is hidden on the dashboards too" in page
    assert "impact-chart" not in page and "<td>6</td>" not in page


def test_waves_of_different_questionnaires_are_refused(hr_client: FlaskClient) -> None:
    before, after = two_waves()
    after.instrument_key = "another-survey@2.0"
    db.session.flush()

    status, page = estimate_page(hr_client, before, after)

    assert status == 422
    assert "scores from different questionnaires cannot be compared" in page
    assert "impact-chart" not in page


def test_the_after_wave_must_come_later(hr_client: FlaskClient) -> None:
    before, after = two_waves()
    status, page = estimate_page(hr_client, after, before)
    assert status == 422 and "opened later than" in page


def test_an_unknown_wave_is_an_error_beside_the_field(hr_client: FlaskClient) -> None:
    before, _ = two_waves()
    publish()
    response = hr_client.get(
        "/culture/impact", query_string={"dimension": DIMENSION, "before": before.id, "after": 0}
    )
    assert response.status_code == 422
    assert 'id="after-error"' in response.get_data(as_text=True)


def test_pre_trends_that_differ_are_flagged(hr_client: FlaskClient) -> None:
    earlier = b.wave("Earlier")
    scored(earlier, b.P, raised(SPREAD, -1.5))  # participants were already rising fast
    scored(earlier, b.C, COMPARISON)
    before, after = two_waves()

    _, page = estimate_page(hr_client, before, after)

    assert str(PRE_TREND_WARNING) in page
    assert "Pre-programme trends could not be checked" not in page


def test_parallel_pre_trends_give_no_warning(hr_client: FlaskClient) -> None:
    earlier = b.wave("Earlier")
    scored(earlier, b.P, SPREAD)
    scored(earlier, b.C, COMPARISON)
    before, after = two_waves()

    _, page = estimate_page(hr_client, before, after)

    assert "rose 0.8 points more" in page
    assert "before the programme, so the estimate may be biased" not in page
    assert "Pre-programme trends could not be checked" not in page


def test_queries_do_not_grow_with_respondents(
    hr_client: FlaskClient, count_queries: Callable[[], object]
) -> None:
    small = two_waves()
    large = two_waves(SPREAD * 20)
    publish()
    counts = []
    for before, after in (small, large):
        query = {"dimension": DIMENSION, "before": before.id, "after": after.id}
        with count_queries() as counted:  # type: ignore[attr-defined]
            assert hr_client.get("/culture/impact", query_string=query).status_code == 200
        counts.append(counted.total)
    # The large pair has two more waves before it: their publications are read in the
    # same queries, and one query reads their scores for the pre-trend check.
    assert counts[1] - counts[0] <= 1
    assert counts[0] <= 20


def test_the_empty_form_shows_no_estimate(hr_client: FlaskClient) -> None:
    two_waves()
    publish()
    page = hr_client.get("/culture/impact").get_data(as_text=True)
    assert 'name="before"' in page and "Difference in differences" not in page


@pytest.mark.parametrize(
    ("roles", "status"),
    [((Role.HR,), 200), ((Role.ADMIN,), 200), ((Role.MANAGER,), 403), ((), 403)],
)
def test_only_hr_and_admins_read_the_estimate(
    client: FlaskClient, make_person: Callable[..., Person], roles: tuple[Role, ...], status: int
) -> None:
    before, after = two_waves()
    sign_in_as(client, make_person(*roles))
    assert estimate_page(client, before, after)[0] == status


def test_one_cohorts_estimate_warns_when_the_waves_do_not_straddle_its_start(
    hr_client: FlaskClient,
) -> None:
    cohort = Cohort(
        programme=Programme(name="Ignite"),
        name="Spring",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 1),
    )
    db.session.add(cohort)
    before, after = b.wave("Before"), b.wave("After")  # both open in January
    before.cohorts, after.cohorts = [cohort], [cohort]
    for wave, lift in ((before, 0.0), (after, 1.0)):
        scored(wave, b.P, raised(SPREAD, lift), cohort)
        scored(wave, b.C, raised(COMPARISON, lift / 5))

    status, page = estimate_page(hr_client, before, after, cohort=cohort.id)

    assert status == 200
    assert "rose 0.8 points more" in page and "Participants of Spring" in page
    assert "“After” opened before Spring started." in page
