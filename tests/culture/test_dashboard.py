"""The published survey figures: exact where shown, hidden where fewer than k answers stand
behind them, never recoverable by subtracting shown figures, within or across waves, and
counted on the answers each mean rests on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from intrapreneur.culture import services
from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.dashboard import departments_managed_by, manager_scopes, wave_figures
from intrapreneur.culture.ledger.people import scope_key
from intrapreneur.culture.models import SurveyWave
from intrapreneur.culture.published import StoredFigures
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department, Person, Role
from tests.culture import builders as b

RULES = Rules(k=5)


@pytest.fixture
def departments(app: object) -> list[Department]:
    made = [Department(name=name) for name in ("Finance", "Legal", "Sales")]
    db.session.add_all(made)
    db.session.flush()
    return made


def published(waves: list[SurveyWave]) -> list[StoredFigures]:
    services.publish_closed_waves(date.today())
    figures = wave_figures(waves, RULES)
    assert len(figures) == len(waves)
    return figures


def test_shown_figures_are_exact_and_small_groups_hidden(departments: list[Department]) -> None:
    finance, legal, sales = departments
    wave = b.wave("January")
    b.respond(wave, 6, finance, b.P, b.answers(4))
    b.respond(wave, 7, sales, b.P, b.answers(2))
    b.respond(wave, 2, legal, b.C, b.answers(5))

    (figures,) = published([wave])

    shown = figures.get(department=str(sales.id))
    assert not shown.hidden and shown.respondents == 7
    assert shown.means["experimentation"] == pytest.approx(b.expected(2, "experimentation"))
    assert shown.answers["experimentation"] == 7
    small = figures.get(department=str(legal.id))
    assert small.hidden and small.respondents is None and small.means == {}
    assert "fewer than 5" in (small.label or "")
    # Legal could be recovered from everyone minus Finance minus Sales: one of those three
    # is hidden with it, and so is one of the participants' and the comparison group's.
    hidden = [
        figures.get().hidden,
        figures.get(department=str(finance.id)).hidden,
        figures.get(department=str(sales.id)).hidden,
    ]
    assert any(hidden)
    assert figures.get(group="comparison").hidden or figures.get().hidden


def test_a_department_nobody_answered_from_says_so(app: object) -> None:
    wave = b.wave("January")
    (figures,) = published([wave])
    empty = figures.get(department="999")
    assert not empty.hidden and empty.respondents == 0 and empty.label == "no responses"


@pytest.mark.parametrize(("answered", "skipped"), [(5, 3), (3, 4)])
def test_a_mean_is_shown_only_when_k_answers_stand_behind_it(
    departments: list[Department], answered: int, skipped: int
) -> None:
    finance, _, sales = departments
    wave = b.wave("January")
    everything = b.answers(4)
    # Some of Finance skip every autonomy item ("prefer not to answer").
    without = {item: value for item, value in everything.items() if not item.startswith("au")}
    b.respond(wave, answered, finance, b.P, everything)
    b.respond(wave, skipped, finance, b.P, without)
    b.respond(wave, 9, sales, b.P, everything)

    (figures,) = published([wave])

    finance_figure = figures.get(department=str(finance.id))
    # The group has k respondents or more: its count and other dimensions are shown…
    assert finance_figure.respondents == answered + skipped and not finance_figure.hidden
    assert finance_figure.answers["experimentation"] == answered + skipped
    if answered >= 5:  # …and autonomy with the answers it rests on…
        assert finance_figure.answers["autonomy"] == answered
        assert figures.get().answers["autonomy"] == answered + 9
    else:  # …or hidden, with everyone's or Sales' autonomy (their difference is Finance's).
        assert finance_figure.is_hidden("autonomy")
        assert "autonomy" not in finance_figure.means | finance_figure.answers
        sales_figure = figures.get(department=str(sales.id))
        assert figures.get().is_hidden("autonomy") or sales_figure.is_hidden("autonomy")


def test_a_joiner_between_waves_is_not_revealed_by_the_difference(
    departments: list[Department],
) -> None:
    finance, _, sales = departments
    first, second = b.wave("January"), b.wave("June")
    stayers = [f"finance-{n}" for n in range(10)]
    b.respond(first, 10, finance, b.P, b.answers(4), people=stayers)
    b.respond(first, 10, sales, b.P, b.answers(4))
    # The same ten and one more: the difference of the two waves is the joiner alone.
    b.respond(second, 11, finance, b.P, b.answers(2), people=[*stayers, "joiner"])
    b.respond(second, 10, sales, b.P, b.answers(4))

    before, after = published([first, second])

    assert before.get(department=str(finance.id)).respondents == 10
    assert after.get(department=str(finance.id)).hidden
    # And it cannot be recovered from the total either: the total or Sales goes with it.
    assert after.get().hidden or after.get(department=str(sales.id)).hidden


def test_new_people_in_a_group_of_the_same_size_are_no_reason_to_hide(
    departments: list[Department],
) -> None:
    finance, _, sales = departments
    first, second = b.wave("January"), b.wave("June")
    b.respond(first, 10, finance, b.P, b.answers(4))
    b.respond(first, 10, sales, b.P, b.answers(4))
    b.respond(second, 12, finance, b.P, b.answers(4))  # twelve others: no one to difference
    b.respond(second, 10, sales, b.P, b.answers(4))

    before, after = published([first, second])

    assert before.get(department=str(finance.id)).respondents == 10
    assert after.get(department=str(finance.id)).respondents == 12


def test_every_managers_scope_is_the_departments_of_everyone_below_them(
    departments: list[Department], make_person: Callable[..., Person]
) -> None:
    finance, legal, sales = departments
    senior = make_person(Role.MANAGER)
    first = make_person(Role.MANAGER, department=finance, manager=senior)
    second = make_person(Role.MANAGER, department=legal, manager=senior)
    make_person(department=finance, manager=first)
    make_person(department=sales, manager=first)
    make_person(department=sales, manager=second)
    make_person(manager=second)  # no department: in no scope
    looped = make_person(department=legal)
    looped.manager_id = looped.id  # a cycle in the directory's data ends the walk
    db.session.flush()

    scopes = manager_scopes()

    ids = {d.name: str(d.id) for d in departments}
    assert scopes == {
        scope_key({ids["Finance"], ids["Sales"]}),  # the first manager's reports
        scope_key({ids["Sales"]}),  # the second's
        scope_key(set(ids.values())),  # the senior's: both teams and the managers themselves
    }
    assert departments_managed_by(senior.id) == set(ids.values())
