"""The suppressed survey figures: exact where shown, hidden where fewer than k answered, and
never recoverable by subtracting one shown figure from another."""

from __future__ import annotations

import pytest

from intrapreneur.culture.anonymity import Rules
from intrapreneur.culture.dashboard import wave_figures
from intrapreneur.extensions import db
from intrapreneur.identity.models import Department
from tests.culture import builders as b

RULES = Rules(k=5)


@pytest.fixture
def departments(app: object) -> list[Department]:
    made = [Department(name=name) for name in ("Finance", "Legal", "Sales")]
    db.session.add_all(made)
    db.session.flush()
    return made


def test_shown_figures_are_exact_and_small_groups_hidden(departments: list[Department]) -> None:
    finance, legal, sales = departments
    wave = b.wave("January")
    b.respond(wave, 6, finance, b.P, b.answers(4))
    b.respond(wave, 7, sales, b.P, b.answers(2))
    b.respond(wave, 2, legal, b.C, b.answers(5))

    (figures,) = wave_figures([wave], RULES)

    shown = figures.get(department=str(sales.id))
    assert not shown.hidden and shown.respondents == 7
    assert shown.means["experimentation"] == pytest.approx(b.expected(2, "experimentation"))
    small = figures.get(department=str(legal.id))
    assert small.hidden and small.respondents is None and small.means == {}
    assert "fewer than 5" in (small.label or "")
    # Legal could be recovered from everyone minus Finance minus Sales, so the smaller of
    # the two (Finance) is hidden with it.
    assert not figures.get().hidden
    assert figures.get(department=str(finance.id)).hidden


def test_a_department_nobody_answered_from_says_so(app: object) -> None:
    wave = b.wave("January")
    (figures,) = wave_figures([wave], RULES)
    empty = figures.get(department="999")
    assert not empty.hidden and empty.respondents == 0 and empty.label == "no responses"


def test_a_change_of_fewer_than_k_between_waves_is_hidden(departments: list[Department]) -> None:
    finance, _, sales = departments
    first, second = b.wave("January"), b.wave("June")
    b.respond(first, 10, finance, b.P, b.answers(4))
    b.respond(first, 10, sales, b.P, b.answers(4))
    b.respond(second, 12, finance, b.P, b.answers(4))  # two more than before
    b.respond(second, 10, sales, b.P, b.answers(4))

    before, after = wave_figures([first, second], RULES)

    assert before.get(department=str(finance.id)).respondents == 10
    assert after.get(department=str(finance.id)).hidden


def test_a_managers_view_counts_only_their_departments(departments: list[Department]) -> None:
    finance, _, sales = departments
    wave = b.wave("January")
    b.respond(wave, 6, finance, b.P, b.answers(4))
    b.respond(wave, 9, sales, b.P, b.answers(2))

    (figures,) = wave_figures([wave], RULES, departments={str(finance.id)})

    assert figures.get().respondents == 6
    assert figures.get(department=str(sales.id)).respondents == 0
