"""Writes for programmes, cohorts, sets and sessions. Services flush; the request commits.

In modules by what they change:

* ``refusals``: what a service refuses (``LearningRefusal`` and its kinds) and the
  checks every edit of a set or a session passes (the set not closed, the session not
  cancelled, neither edited on an old copy);
* ``programmes``: programmes, cohorts and enrolment;
* ``sets``: creating sets and placing people in them;
* ``scheduling``: scheduling, cancelling and moving sessions, and a session's agenda;
* ``set_rules``: the set composer's hard rules, on a cohort's sets as they stand;
* ``set_changes``: sets over time: facilitators replaced, members moved or taken out,
  sets closed;
* ``feedback``: members' feedback on the sessions they were in;
* ``session_records``: the session screen's attendance, hot seats, questions and
  commitments;
* ``agendas``: HR's agenda templates;
* ``calendar_tokens``: the secret in a person's calendar feed URL.

Each imports only ``refusals`` and modules listed before it. Callers use the names below.
"""

from intrapreneur.learning.services.agendas import reset_agenda_template, save_agenda_template
from intrapreneur.learning.services.calendar_tokens import reset_calendar_token
from intrapreneur.learning.services.feedback import feedback_refusal, save_feedback
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
    closed_message,
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
from intrapreneur.learning.services.set_changes import (
    change_facilitator,
    close_set,
    leaving,
    move_member,
    remove_member,
)
from intrapreneur.learning.services.sets import (
    MAX_SET_SIZE,
    MIN_SET_SIZE,
    add_member,
    create_set,
)

__all__ = [
    "MAX_SET_SIZE",
    "MIN_SET_SIZE",
    "InvalidAgenda",
    "LearningRefusal",
    "StaleEdit",
    "add_commitment",
    "add_hot_seat",
    "add_member",
    "add_question",
    "cancel_session",
    "change_agenda",
    "change_facilitator",
    "change_hot_seat",
    "close_set",
    "closed_message",
    "create_cohort",
    "create_programme",
    "create_set",
    "decide",
    "ensure_changeable",
    "ensure_participant",
    "feedback_refusal",
    "leaving",
    "move_member",
    "record_attendance",
    "remove_member",
    "request_place",
    "reschedule",
    "reset_agenda_template",
    "reset_calendar_token",
    "review_action",
    "save_agenda_template",
    "save_feedback",
    "schedule_sessions",
]
