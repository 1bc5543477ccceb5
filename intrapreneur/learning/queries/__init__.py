"""Reads for programmes, cohorts, sets and sessions, in modules by what they read:

* ``programmes``: programmes, cohorts and the places taken;
* ``enrolment``: requests, the waiting list and participants; the people HR may enrol;
* ``sets``: sets and memberships, and who may be placed in a set;
* ``sessions``: sessions, the calendar feed and the session screen's records;
* ``set_health``: the set-health figures, each defined once above the SQL that
  aggregates it;
* ``feedback``: members' feedback on sessions, and the figures released of it (its rule
  against small groups is written down there).

``sessions`` builds on ``sets`` (a person's sessions are those of their current sets);
``feedback`` on ``sets`` and ``set_health`` (which sessions were held); the others import
nothing from one another. Callers use the names below.
"""

from intrapreneur.learning.queries.enrolment import (
    cohort_enrolments,
    enrolments_in,
    enrolments_of,
    my_enrolments,
    people_by_login,
    people_search,
    waiting_list,
    waiting_position,
)
from intrapreneur.learning.queries.feedback import (
    ANSWERING_DAYS,
    MIN_ANSWERS,
    RATINGS,
    FeedbackFigures,
    SessionFeedbackFigures,
    answering_closes_at,
    feedback_awaited,
    feedback_by_session,
    feedback_per_set,
    next_steps_by_session,
    own_answer,
    sessions_to_answer,
)
from intrapreneur.learning.queries.programmes import (
    accepted_count,
    enrolment_counts,
    enrolment_of,
    open_cohorts_for,
    open_cohorts_of,
    previous_cohort,
    programmes_with_cohorts,
    sessions_starting_before,
    sessions_starting_from,
)
from intrapreneur.learning.queries.sessions import (
    actions_of,
    actions_to_review,
    attendance_of,
    clashing_sessions,
    hot_seats_of,
    next_sessions_for,
    person_by_calendar_token,
    previous_session_start,
    sessions_for_person,
    sessions_of_set,
    upcoming_sessions,
)
from intrapreneur.learning.queries.set_health import (
    MemberAttendance,
    PlaceAttendance,
    SessionAttendance,
    SetHealth,
    attendance_by_place,
    attendance_by_session,
    sessions_missed_by_member,
    set_health,
)
from intrapreneur.learning.queries.sets import (
    cohorts_with_sets,
    current_members,
    current_membership_in_cohort,
    current_set_ids,
    current_set_in_cohort,
    current_sets_of,
    is_current_member,
    members_of_sets,
    placeable_people,
    set_candidates,
    sets_of_cohort,
    shared_set_pairs,
)

__all__ = [
    "ANSWERING_DAYS",
    "MIN_ANSWERS",
    "RATINGS",
    "FeedbackFigures",
    "MemberAttendance",
    "PlaceAttendance",
    "SessionAttendance",
    "SessionFeedbackFigures",
    "SetHealth",
    "accepted_count",
    "actions_of",
    "actions_to_review",
    "answering_closes_at",
    "attendance_by_place",
    "attendance_by_session",
    "attendance_of",
    "clashing_sessions",
    "cohort_enrolments",
    "cohorts_with_sets",
    "current_members",
    "current_membership_in_cohort",
    "current_set_ids",
    "current_set_in_cohort",
    "current_sets_of",
    "enrolment_counts",
    "enrolment_of",
    "enrolments_in",
    "enrolments_of",
    "feedback_awaited",
    "feedback_by_session",
    "feedback_per_set",
    "hot_seats_of",
    "is_current_member",
    "members_of_sets",
    "my_enrolments",
    "next_sessions_for",
    "next_steps_by_session",
    "open_cohorts_for",
    "open_cohorts_of",
    "own_answer",
    "people_by_login",
    "people_search",
    "person_by_calendar_token",
    "placeable_people",
    "previous_cohort",
    "previous_session_start",
    "programmes_with_cohorts",
    "sessions_for_person",
    "sessions_missed_by_member",
    "sessions_of_set",
    "sessions_starting_before",
    "sessions_starting_from",
    "sessions_to_answer",
    "set_candidates",
    "set_health",
    "sets_of_cohort",
    "shared_set_pairs",
    "upcoming_sessions",
    "waiting_list",
    "waiting_position",
]
