"""Writes for programmes, cohorts, sets and sessions. Services flush; the request commits.

In modules by what they change:

* ``refusals``: what a service refuses (``LearningRefusal`` and its kinds), the check
  every write into a cohort passes (not closed) and those every edit of a set or a session
  passes (the cohort and the set not closed, the session not cancelled, neither edited on
  an old copy);
* ``programmes``: programmes and cohorts as created, requests for a place;
* ``sets``: creating sets and placing people in them;
* ``enrolment``: decisions on places, one or many; the waiting list; withdrawing,
  removing and enrolling directly;
* ``roster_import``: enrolling a list of people from a file, dry run first;
* ``editing``: editing, closing and archiving programmes and cohorts;
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
from intrapreneur.learning.services.editing import (
    CohortValues,
    archive_programme,
    close_cohort,
    edit_cohort,
    edit_programme,
)
from intrapreneur.learning.services.enrolment import (
    Decisions,
    decide,
    decide_many,
    enrol_directly,
    free_places,
    remove,
    withdraw,
)
from intrapreneur.learning.services.feedback import feedback_refusal, save_feedback
from intrapreneur.learning.services.programmes import (
    create_cohort,
    create_programme,
    ensure_participant,
    request_place,
)
from intrapreneur.learning.services.refusals import (
    InvalidAgenda,
    LearningRefusal,
    RefusedFields,
    StaleEdit,
    closed_message,
    ensure_changeable,
    ensure_cohort_open,
    ensure_not_archived,
)
from intrapreneur.learning.services.roster_import import (
    OUTCOME_LABELS,
    LineOutcome,
    Outcome,
    RosterCheck,
    RosterRefused,
    check_roster,
    import_roster,
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
    "OUTCOME_LABELS",
    "CohortValues",
    "Decisions",
    "InvalidAgenda",
    "LearningRefusal",
    "LineOutcome",
    "Outcome",
    "RefusedFields",
    "RosterCheck",
    "RosterRefused",
    "StaleEdit",
    "add_commitment",
    "add_hot_seat",
    "add_member",
    "add_question",
    "archive_programme",
    "cancel_session",
    "change_agenda",
    "change_facilitator",
    "change_hot_seat",
    "check_roster",
    "close_cohort",
    "close_set",
    "closed_message",
    "create_cohort",
    "create_programme",
    "create_set",
    "decide",
    "decide_many",
    "edit_cohort",
    "edit_programme",
    "enrol_directly",
    "ensure_changeable",
    "ensure_cohort_open",
    "ensure_not_archived",
    "ensure_participant",
    "feedback_refusal",
    "free_places",
    "import_roster",
    "leaving",
    "move_member",
    "record_attendance",
    "remove",
    "remove_member",
    "request_place",
    "reschedule",
    "reset_agenda_template",
    "reset_calendar_token",
    "review_action",
    "save_agenda_template",
    "save_feedback",
    "schedule_sessions",
    "withdraw",
]
