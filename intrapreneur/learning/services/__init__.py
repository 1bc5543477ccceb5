"""Writes for programmes, cohorts, sets and sessions. Services flush; the request commits.

In modules by what they change:

* ``refusals``: what a service refuses (``LearningRefusal`` and its kinds), the
  checks every edit of a session passes (not cancelled, not edited on an old copy) and
  the one every write into a cohort passes (not closed);
* ``programmes``: programmes and cohorts as created, requests for a place;
* ``sets``: sets and their members;
* ``enrolment``: decisions on places, one or many; the waiting list; withdrawing,
  removing and enrolling directly;
* ``roster_import``: enrolling a list of people from a file, dry run first;
* ``editing``: editing, closing and archiving programmes and cohorts;
* ``scheduling``: scheduling, cancelling and moving sessions, and a session's agenda;
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
    ensure_changeable,
    ensure_not_archived,
    ensure_open,
)
from intrapreneur.learning.services.roster_import import (
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
from intrapreneur.learning.services.sets import (
    MAX_SET_SIZE,
    add_member,
    create_set,
    remove_member,
)

__all__ = [
    "MAX_SET_SIZE",
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
    "change_hot_seat",
    "check_roster",
    "close_cohort",
    "create_cohort",
    "create_programme",
    "create_set",
    "decide",
    "decide_many",
    "edit_cohort",
    "edit_programme",
    "enrol_directly",
    "ensure_changeable",
    "ensure_not_archived",
    "ensure_open",
    "ensure_participant",
    "free_places",
    "import_roster",
    "record_attendance",
    "remove",
    "remove_member",
    "request_place",
    "reschedule",
    "reset_agenda_template",
    "reset_calendar_token",
    "review_action",
    "save_agenda_template",
    "schedule_sessions",
    "withdraw",
]
