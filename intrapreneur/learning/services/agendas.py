"""HR's agenda templates: a format's own agenda for the sessions scheduled from now on,
or back to the shipped one."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intrapreneur.core import services as audit
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.learning import agenda_templates
from intrapreneur.learning.formats import (
    FORMATS,
    Agenda,
    agenda_minutes,
    shipped_agenda,
    template_problems,
)
from intrapreneur.learning.models import AgendaTemplate, SessionFormat
from intrapreneur.learning.services.refusals import InvalidAgenda, LearningRefusal, StaleEdit
from intrapreneur.learning.services.sets import MAX_SET_SIZE


def save_agenda_template(
    session_format: SessionFormat, agenda: Agenda, *, version: int, by: Person, now: datetime
) -> AgendaTemplate:
    """HR's own agenda for a format: sessions scheduled from now on start from it,
    sessions already scheduled keep theirs."""
    problems = template_problems(session_format, agenda, largest_set=MAX_SET_SIZE)
    if problems:
        raise InvalidAgenda(problems)
    template = _template_as_seen(session_format, version)
    template = _write_template(session_format, template, agenda, by=by, now=now)
    audit.record(
        "agenda_template.changed",
        actor=by,
        obj=template,
        format=session_format.value,
        minutes=agenda_minutes(agenda),
    )
    return template


def reset_agenda_template(
    session_format: SessionFormat, *, version: int, by: Person, now: datetime
) -> None:
    """Back to the shipped agenda. The row stays, with the shipped segments, so that its
    version keeps counting and an editor holding an older copy is still refused."""
    template = _template_as_seen(session_format, version)
    if agenda_templates.is_shipped(session_format, template):
        raise LearningRefusal(
            _(
                "%(label)s already uses its shipped agenda.",
                label=FORMATS[session_format].label,
            )
        )
    shipped = shipped_agenda(session_format)
    template = _write_template(session_format, template, shipped, by=by, now=now)
    audit.record("agenda_template.reset", actor=by, obj=template, format=session_format.value)


def _write_template(
    session_format: SessionFormat,
    template: AgendaTemplate | None,
    agenda: Agenda,
    *,
    by: Person,
    now: datetime,
) -> AgendaTemplate:
    if template is None:
        template = AgendaTemplate(format=session_format)
        db.session.add(template)
    template.segments = agenda
    template.updated_by, template.updated_at = by, now
    _flush_template()
    return template


def _template_as_seen(session_format: SessionFormat, version: int) -> AgendaTemplate | None:
    """The template the editor saw (version 0 stands for the shipped agenda), else StaleEdit."""
    template = agenda_templates.template_of(session_format)
    if (template.version if template is not None else 0) != version:
        raise StaleEdit(what="agenda")
    return template


def _flush_template() -> None:
    # Two first edits at once collide on the unique format, later ones on the version.
    try:
        with db.session.begin_nested():
            db.session.flush()
    except (IntegrityError, StaleDataError):
        raise StaleEdit(what="agenda") from None
