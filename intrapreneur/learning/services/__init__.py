"""Writes for programmes, cohorts, sets and sessions. Services flush; the request commits.

In modules by what they change:

* ``refusals``: what a service refuses (``LearningRefusal`` and its kinds) and the
  checks every edit of a session passes (not cancelled, not edited on an old copy);
* ``programmes``: programmes, cohorts and enrolment;
* ``sets``: sets and their members;
* ``scheduling``: scheduling, cancelling and moving sessions, and a session's agenda;
* ``session_records``: the session screen's attendance, hot seats, questions and
  commitments;
* ``agendas``: HR's agenda templates;
* ``calendar_tokens``: the secret in a person's calendar feed URL.

Each imports only ``refusals`` and modules listed before it. Callers use the names below.
"""

from intrapreneur.learning.services.agendas import reset_agenda_template, save_agenda_template
from intrapreneur.learning.services.calendar_tokens import reset_calendar_token
from intrapreneur.learning.services.programmes import (
    create_cohort,
    create_programme,
    decide,
    ensure_participant,
    request_place,
)
from intrapreneur.learning.services.refusals import (
    InvalidAgenda,
    LearningRefusal,
    StaleEdit,
    ensure_changeable,
)
from intrapreneur.learning.services.scheduling import (
    cancel_session,
    change_agenda,
    reschedule,
    schedule_sessions,
)
from intrapreneur.learning.services.session_records import (
    add_commitment,
    add_hot_seat,
    add_question,
    change_hot_seat,
    record_attendance,
    review_action,
)
from intrapreneur.learning.services.sets import (
    MAX_SET_SIZE,
    add_member,
    create_set,
    remove_member,
)

__all__ = [
    "MAX_SET_SIZE",
    "InvalidAgenda",
    "LearningRefusal",
    "StaleEdit",
    "add_commitment",
    "add_hot_seat",
    "add_member",
    "add_question",
    "cancel_session",
    "change_agenda",
    "change_hot_seat",
    "create_cohort",
    "create_programme",
    "create_set",
    "decide",
    "ensure_changeable",
    "ensure_participant",
    "record_attendance",
    "remove_member",
    "request_place",
    "reschedule",
    "reset_agenda_template",
    "reset_calendar_token",
    "review_action",
    "save_agenda_template",
    "schedule_sessions",
]
