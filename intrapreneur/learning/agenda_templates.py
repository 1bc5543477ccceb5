"""Reads: which agenda each session format starts from, HR's own or the shipped one."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from intrapreneur.core.i18n import offered_locales
from intrapreneur.extensions import db
from intrapreneur.learning.formats import Agenda, agenda_for, shipped_agenda
from intrapreneur.learning.models import AgendaTemplate, SessionFormat


def template_of(session_format: SessionFormat) -> AgendaTemplate | None:
    """HR's template for the format; None until HR first changes the shipped agenda."""
    return db.session.scalar(select(AgendaTemplate).where(AgendaTemplate.format == session_format))


def templates_by_format() -> dict[SessionFormat, AgendaTemplate]:
    return {template.format: template for template in db.session.scalars(select(AgendaTemplate))}


def segments_of(session_format: SessionFormat, template: AgendaTemplate | None) -> Agenda:
    return template.segments if template is not None else shipped_agenda(session_format)


def is_shipped(session_format: SessionFormat, template: AgendaTemplate | None) -> bool:
    """Whether the format runs on its shipped agenda (never changed, or reset to it) —
    in whichever language it was reset in, since its titles were written in that one."""
    if template is None:
        return True
    for language in offered_locales():
        with force_locale(language):
            if template.segments == shipped_agenda(session_format):
                return True
    return False


def default_agenda(session_format: SessionFormat, members: int) -> Agenda:
    """What a newly scheduled session of a set with ``members`` members starts from."""
    template = segments_of(session_format, template_of(session_format))
    return agenda_for(session_format, template, members)
