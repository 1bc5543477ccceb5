"""The attacker's view of survey reminders: an admin who reads every row of every table — while
the reminders wait in the outbox and after they have gone — cannot tell the invitees who had
answered from those who had not.

The attacker knows each person's id, name, address and personal-link secret (they can read
the outbox and work out which hash is whose); they do not hold the pseudonym key, which is
never in the database. For each invitee we gather every row that mentions them, with their
own identifiers replaced by one placeholder: if any row, column or value told respondents
apart, two invitees of the same group would see different rows.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Table, select

from intrapreneur.core import jobs, mail
from intrapreneur.core.models import utcnow
from intrapreneur.culture.services import token_hash
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.conftest import SmtpServer
from tests.culture.test_survey_reminders import BASE, Survey, open_survey

ME = "<me>"
View = Counter[tuple[str, tuple[tuple[str, str], ...]]]


def _marks(survey: Survey, person: Person) -> list[str]:
    """What names this person in a row besides their id."""
    token = survey.tokens[person.id]
    return [token, token_hash(token), str(person.email), person.display_name]


def _person_columns(table: Table) -> set[str]:
    columns = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "person"}
    return columns | ({"id"} if table.name == "person" else set())


def _normal(value: Any, marks: list[str], person_id: int) -> str:
    """A value as the comparison sees it: the person's identifiers replaced, a time read to
    the day (rows written in one go differ by microseconds, which tell nothing)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    text = json.dumps(value, sort_keys=True, default=str)
    for mark in marks:
        text = text.replace(mark, ME)
    # The id inside text (a dedupe key, job arguments), never inside a hex digest.
    return re.sub(rf"(?<![0-9a-fA-F]){person_id}(?![0-9a-fA-F])", ME, text)


def _surrogate(table: Table, column: str) -> bool:
    """A row's own number (``id``), which says only in what order rows were written."""
    return column == "id" and table.c.id.primary_key


def attacker_view(survey: Survey, person: Person) -> View:
    """Every row of every table that mentions ``person``, normalised; surrogate ids dropped."""
    marks = _marks(survey, person)
    view: View = Counter()
    for table in db.metadata.sorted_tables:
        person_columns = _person_columns(table)
        for row in db.session.execute(select(table)).mappings():
            normal = tuple(
                (name, ME if name in person_columns and value == person.id else text)
                for name, value in row.items()
                if name in person_columns or not _surrogate(table, name)
                for text in [_normal(value, marks, person.id)]
            )
            if any(ME in value for _, value in normal):
                view[(table.name, normal)] += 1
    return view


def test_no_row_of_any_table_tells_who_had_answered_before_or_after_the_reminders_go(
    app: Flask,
    make_person: Callable[..., Person],
    inbox: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    today = date.today()  # the jobs read the clock: a wave whose halfway is today
    survey = open_survey(make_person, today - timedelta(days=7), today + timedelta(days=7), inbox)
    answered = [survey.participants[0], survey.participants[1], survey.comparison[0]]
    for person in answered:
        survey.answer(person, today - timedelta(days=3))

    def views_alike() -> None:
        for group in (survey.participants, survey.comparison):
            views = [attacker_view(survey, person) for person in group]
            assert views[0], "the attacker does find each invitee's rows"
            assert all(view == views[0] for view in views), "a row tells respondents apart"

    jobs.enqueue("survey-reminders")
    db.session.commit()  # in the tests, jobs run at once in the committing thread
    views_alike()  # queued: every invitee has a reminder waiting, alike

    mail.deliver_due(utcnow())  # what the mail-delivery job does, every minute
    waiting = {str(p.email) for p in survey.invitees if p not in answered}
    assert {received.recipients[0] for received in inbox.received} == waiting
    views_alike()  # delivered: the world did tell them apart, the database does not
