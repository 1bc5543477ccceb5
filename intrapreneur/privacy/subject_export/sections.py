"""What a subject access export holds, section by section, read from the record of
processing (``privacy.record``): one section per table whose ``links`` name the person,
each with that table's rows linked to them ("about" or "by" alike) and every column but
the ``secret`` ones. A table added to the record later is exported without new code.

A few sections say what the links cannot, and are listed here (``DERIVED``): the roles
history (from the audit log), the reviews a person's ventures received, and their own
survey answers, which only their own request may include (``Section.own_only``): the
answers are stored under a keyed pseudonym, and only the person's own request computes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, LargeBinary, Select, and_, func, or_, select
from sqlalchemy import Table as SqlTable

from intrapreneur.culture.services import pseudonym_of
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.privacy.record import BY_NAME, TABLES
from intrapreneur.privacy.registry import Table

Query = Callable[[Person], Select[Any]]

# The audit log's events that changed someone's roles: their roles history.
ROLE_ACTIONS = ("person.provisioned", "person.roles_changed")


@dataclass(frozen=True)
class Section:
    """One file of the archive and one part of its summary."""

    name: str  # the file's name without ".json"; a table's name where it is one table
    purpose: str  # why it is kept, from the record of processing (English, for operators)
    who_sees: str
    kept: str
    query: Query
    own_only: bool = False  # only in the person's own export


# Headings the summary shows, in the reader's language. A table added to the record later
# is exported all the same, under its table name until it is given a heading here.
TITLES = {
    "person": _l("Profile"),
    "person_role": _l("Current roles"),
    "roles_history": _l("Roles over time"),
    "invitation": _l("Guest invitations"),
    "password_reset": _l("Password reset links"),
    "api_client": _l("API tokens issued"),
    "local_mfa": _l("Two-step sign-in"),
    "recovery_code": _l("Recovery codes"),
    "enrolment": _l("Cohort enrolments and decisions"),
    "learning_set": _l("Sets facilitated"),
    "set_membership": _l("Set memberships"),
    "session_feedback": _l("Feedback on sessions"),
    "agenda_template": _l("Agenda templates changed"),
    "attendance": _l("Session attendance"),
    "hot_seat": _l("Hot seats"),
    "question": _l("Questions asked"),
    "action": _l("Commitments"),
    "set_composition": _l("Set proposals changed"),
    "venture": _l("Ventures started"),
    "venture_member": _l("Venture teams"),
    "experiment": _l("Experiments and learning cards"),
    "review": _l("Reviews given"),
    "reviews_received": _l("Reviews received"),
    "notification": _l("Notifications"),
    "survey_wave": _l("Survey waves created"),
    "survey_invitation": _l("Survey invitations"),
    "survey_answers": _l("Survey answers"),
    "privacy_rules": _l("Minimum group sizes changed"),
    "audit_event": _l("Audit log events"),
    "background_job": _l("Background jobs asked for"),
    "export_file": _l("Files made for download"),
    "outgoing_email": _l("Emails"),
    "email_preference": _l("Email choices"),
    "privacy_setting": _l("Data-protection settings changed"),
}


def title_of(section: Section) -> str:
    return str(TITLES.get(section.name, section.name))


def sql_table(name: str) -> SqlTable:
    return db.metadata.tables[name]


def exported_columns(table: Table) -> list[ColumnElement[Any]]:
    """The table's columns in the record, in the table's order, but its secrets; a file's
    bytes as their count (they may hold anyone's data: a file is downloaded from its job)."""
    columns: list[ColumnElement[Any]] = []
    for column in sql_table(table.name).columns:
        described = table.columns.get(column.name)
        if described is None or described.secret:
            continue
        if isinstance(column.type, LargeBinary):
            columns.append(func.length(column).label(f"{column.name}_bytes"))
        else:
            columns.append(column)
    return columns


def rows_of(table: Table, where: ColumnElement[bool]) -> Select[Any]:
    sql = sql_table(table.name)
    return select(*exported_columns(table)).where(where).order_by(*sql.primary_key.columns)


def _events_done_to(person: Person) -> ColumnElement[bool]:
    """Audit events whose object is the person (the record's note: found by object type and
    number, beside the ``actor_id`` link)."""
    events = sql_table("audit_event")
    return and_(events.c.object_type == Person.__tablename__, events.c.object_id == str(person.id))


# Rows of a table about the person that its links alone do not find.
ALSO_FOUND_BY: dict[str, Callable[[Person], ColumnElement[bool]]] = {
    "audit_event": _events_done_to,
}


def _linked(table: Table) -> Query:
    def query(person: Person) -> Select[Any]:
        sql = sql_table(table.name)
        found = [sql.c[link.column] == person.id for link in table.links]
        if table.name in ALSO_FOUND_BY:
            found.append(ALSO_FOUND_BY[table.name](person))
        return rows_of(table, or_(*found))

    return query


def _roles_history(person: Person) -> Select[Any]:
    events = sql_table("audit_event")
    return rows_of(
        BY_NAME["audit_event"], and_(_events_done_to(person), events.c.action.in_(ROLE_ACTIONS))
    )


def _reviews_received(person: Person) -> Select[Any]:
    """Reviews of the ventures the person is on the team of (cards and whole boards)."""
    team = sql_table("venture_member")
    ventures = select(team.c.venture_id).where(team.c.person_id == person.id)
    return rows_of(BY_NAME["review"], sql_table("review").c.venture_id.in_(ventures))


def _survey_answers(person: Person) -> Select[Any]:
    """The person's own answers, found by their pseudonym: answers, comment, wave, day."""
    responses, waves = sql_table("survey_response"), sql_table("survey_wave")
    return (
        select(
            responses.c.id,
            responses.c.wave_id,
            waves.c.title.label("wave_title"),
            responses.c.submitted_on,
            responses.c.language,
            responses.c.answers,
            responses.c.comment,
        )
        .join(waves, waves.c.id == responses.c.wave_id)
        .where(responses.c.pseudonym == pseudonym_of(person.id))
        .order_by(responses.c.id)
    )


@dataclass(frozen=True)
class Derived:
    section: Section
    after: str  # the table whose section it follows


DERIVED = (
    Derived(
        Section(
            "roles_history",
            purpose="The changes to the person's roles, from the audit log: who may see and "
            "do what, and since when.",
            who_sees=BY_NAME["audit_event"].who_sees,
            kept=BY_NAME["audit_event"].kept,
            query=_roles_history,
        ),
        after="person_role",
    ),
    Derived(
        Section(
            "reviews_received",
            purpose="Managers' support or challenge on the boards and cards of ventures the "
            "person is on the team of.",
            who_sees=BY_NAME["review"].who_sees,
            kept=BY_NAME["review"].kept,
            query=_reviews_received,
        ),
        after="review",
    ),
    Derived(
        Section(
            "survey_answers",
            purpose="The person's own survey answers, stored under a keyed pseudonym: only "
            "their own request finds them, never an administrator's.",
            who_sees=BY_NAME["survey_response"].who_sees,
            kept=BY_NAME["survey_response"].kept,
            query=_survey_answers,
            own_only=True,
        ),
        after="survey_invitation",
    ),
)


def sections(*, own: bool) -> list[Section]:
    """Every section of an export, in the record's order, each derived one after its table;
    the sections only a person's own request may hold are left out of anyone else's."""
    found: list[Section] = []
    for table in TABLES:
        if table.links:
            query = _linked(table)
            found.append(Section(table.name, table.purpose, table.who_sees, table.kept, query))
        found += [d.section for d in DERIVED if d.after == table.name]
    return [section for section in found if own or not section.own_only]
