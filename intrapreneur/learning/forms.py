"""Input shape for programmes, cohorts and enrolment decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.core import Field
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from intrapreneur.core.forms import MAX_ID, VersionedForm, plausible_date, strip_whitespace
from intrapreneur.core.timezones import is_zone_name, organisation_zone_name
from intrapreneur.learning.formats import MAX_SEGMENTS

MAX_SETS_PER_FACILITATOR = 4


class ProgrammeForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=5000)],
        description=_l("What the programme is for and who it is meant for."),
    )


class CohortForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(), plausible_date])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(), plausible_date])
    capacity = IntegerField(
        _l("Places"),
        validators=[InputRequired(), NumberRange(min=1, max=2000)],
        description=_l("How many participants the cohort accepts."),
    )
    enrolment_open = BooleanField(_l("Open for employees to request a place"))
    time_zone = StringField(
        _l("Time zone"),
        default=organisation_zone_name,
        validators=[DataRequired(), Length(max=64)],
        filters=[strip_whitespace],
        description=_l(
            "The zone the cohort's dates are read in, as an IANA name: Europe/London, "
            "America/New_York, Asia/Singapore."
        ),
    )

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The cohort must end on or after its first day."))

    def validate_time_zone(self, field: StringField) -> None:
        if field.data and not is_zone_name(field.data):
            raise ValidationError(
                _(
                    "%(zone)s is not a time zone this system knows. "
                    "Use an IANA name such as Europe/Paris.",
                    zone=repr(field.data),
                )
            )


class EditProgrammeForm(ProgrammeForm, VersionedForm):
    pass


class EditCohortForm(CohortForm, VersionedForm):
    pass


class DecisionsForm(FlaskForm):
    """Accept or decline the requests ticked on a cohort's page."""

    enrolment_ids = SelectMultipleField(coerce=int, validate_choice=False)
    accept = SubmitField(_l("Accept selected"))
    decline = SubmitField(_l("Decline selected"))


class PeopleSearchForm(FlaskForm):
    """Read from the query string: a search changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name, username or department"),
        validators=[Length(max=100, message=_l("Search with at most 100 characters."))],
        filters=[strip_whitespace],
    )


class RosterUploadForm(FlaskForm):
    roster = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file to upload."))],
        description=_l(
            "One column of usernames or email addresses, one person per line; a "
            "header line is optional. UTF-8 text (Excel: “CSV UTF-8”), at most 5,000 lines."
        ),
    )


class RosterConfirmForm(FlaskForm):
    """The previewed lines, signed, sent back to enrol them."""

    signed_lines = HiddenField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions (join, accept, decline)."""


FORMAT_CHOICES = [
    SelectChoice("power_hour", _l("Power Hour (one hot seat, 60 min)")),
    SelectChoice("mastermind", _l("Mastermind (a hot seat per member)")),
    SelectChoice("hack", _l("Hack (timed group sprint on one problem)")),
    SelectChoice("enablement", _l("Enablement (skills session)")),
]


class SetForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    facilitator_id = SelectField(_l("Facilitator"), coerce=int, validators=[InputRequired()])
    default_format = SelectField(_l("Usual format"), choices=FORMAT_CHOICES)
    cadence_days = IntegerField(
        _l("Meets every (days)"),
        default=14,
        validators=[InputRequired(), NumberRange(min=1, max=90)],
        description=_l("Used to schedule a series of sessions."),
    )


class AddMemberForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=int, validators=[InputRequired()])


class FacilitatorForm(VersionedForm):
    person_id = SelectField(
        _l("Facilitator"),
        coerce=int,
        validators=[InputRequired()],
        description=_l("Employees and guest entrepreneurs who facilitate sets."),
    )


class LeaveSetForm(VersionedForm):
    """Taking a member out of their set; ``confirmed`` once they have seen what it changes."""

    confirmed = BooleanField(_l("Go ahead, although the set keeps fewer members than it needs"))


class MoveMemberForm(LeaveSetForm):
    target_id = SelectField(_l("Move to"), coerce=int, validators=[InputRequired()])


def one_line(value: str | None) -> str | None:
    """WTForms filter: a line typed or pasted with breaks or runs of spaces becomes one
    line, single-spaced."""
    return " ".join(value.split()) if isinstance(value, str) else value


USEFULNESS_CHOICES = [
    SelectChoice(1, _l("1: not useful")),
    SelectChoice(2, "2"),
    SelectChoice(3, "3"),
    SelectChoice(4, "4"),
    SelectChoice(5, _l("5: very useful")),
]


class FeedbackForm(FlaskForm):
    usefulness = RadioField(
        _l("How useful was this session for you?"),
        choices=USEFULNESS_CHOICES,
        coerce=int,
        validators=[InputRequired(message=_l("Choose how useful the session was, from 1 to 5."))],
    )
    next_step = StringField(
        _l("The one thing you will do next"),
        validators=[
            DataRequired(message=_l("Name the one thing you will do next.")),
            Length(max=300, message=_l("Keep it to 300 characters or fewer.")),
        ],
        filters=[one_line],
        description=_l(
            "One line. Your facilitator and the programme team see the set's answers together, "
            "without names, once answering has closed and at least three members answered."
        ),
    )


class WhenAndWhereForm(FlaskForm):
    """When and where a session happens: shared by scheduling and rescheduling."""

    day = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    start = TimeField(_l("Starts at"), validators=[InputRequired()])
    location = StringField(
        _l("Place"), validators=[Optional(), Length(max=300)], filters=[strip_whitespace]
    )
    video_url = URLField(
        _l("Video link"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
        filters=[strip_whitespace],
    )


class ScheduleForm(WhenAndWhereForm):
    session_format = SelectField(_l("Format"), choices=FORMAT_CHOICES)
    count = IntegerField(
        _l("Number of sessions"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=20)],
        description=_l("More than one schedules a series at the set's usual interval."),
    )


BARRIER_CHOICES = [
    SelectChoice("permission", _l("Permission or sign-off")),
    SelectChoice("resources", _l("Money or resources")),
    SelectChoice("time", _l("Time")),
    SelectChoice("skills", _l("Skills or knowledge")),
    SelectChoice("customer_access", _l("Access to customers")),
    SelectChoice("politics", _l("Politics or stakeholders")),
    SelectChoice("risk_aversion", _l("Fear of failure or risk aversion")),
    SelectChoice("other", _l("Something else")),
]
# How a page names a barrier and an action's status, in a sentence ("Barrier: time").
BARRIER_NAMES = {
    "permission": _l("permission"),
    "resources": _l("resources"),
    "time": _l("time"),
    "skills": _l("skills"),
    "customer_access": _l("customer access"),
    "politics": _l("politics"),
    "risk_aversion": _l("risk aversion"),
    "other": _l("other"),
}
ACTION_STATUS_NAMES = {
    "open": _l("open"),
    "done": _l("done"),
    "partly": _l("partly"),
    "not_done": _l("not done"),
}
REVIEW_CHOICES = [
    SelectChoice("done", _l("Done")),
    SelectChoice("partly", _l("Partly done")),
    SelectChoice("not_done", _l("Not done")),
]


class ChallengeForm(VersionedForm):
    """The barrier a member brings to the hot seat."""

    challenge_title = StringField(
        _l("Challenge"), validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    challenge_description = TextAreaField(
        _l("What stands in the way"), validators=[Length(max=5000)], filters=[strip_whitespace]
    )
    barrier = SelectField(_l("Kind of barrier"), choices=BARRIER_CHOICES)


class HotSeatForm(ChallengeForm):
    person_id = SelectField(_l("Member in the hot seat"), coerce=int, validators=[InputRequired()])


class QuestionForm(FlaskForm):
    asked_by_id = SelectField(_l("Asked by"), coerce=int, validators=[InputRequired()])
    text = StringField(
        _l("Question"), validators=[DataRequired(), Length(max=300)], filters=[strip_whitespace]
    )


class CommitmentForm(FlaskForm):
    description = StringField(
        _l("Commitment"), validators=[DataRequired(), Length(max=500)], filters=[strip_whitespace]
    )
    due_on = DateField(_l("Due"), validators=[InputRequired(), plausible_date])


class ReviewForm(FlaskForm):
    status = SelectField(_l("How did it go"), choices=REVIEW_CHOICES)
    learning = TextAreaField(
        _l("What was learned"), validators=[Length(max=2000)], filters=[strip_whitespace]
    )


class ExperimentFromActionForm(FlaskForm):
    venture_id = SelectField(_l("Experiment on"), coerce=int, validators=[InputRequired()])


class RescheduleForm(WhenAndWhereForm, VersionedForm):
    pass


# A person's id in a hidden field: only a tampered or mangled form holds another.
A_PERSON_ID = NumberRange(
    min=1, max=MAX_ID, message=_l("No such person: reload the page and try again.")
)

MAX_SEGMENT_MINUTES = 240
BLANK_ROWS = 3


def _typed(field: Field) -> bool:
    """Whether the field holds anything: ``data`` alone misses an unreadable number."""
    return field.data is not None or bool(field.raw_data and field.raw_data[0].strip())


class SegmentForm(Form):
    """One timed segment of an agenda (a sub-form: the page form holds the CSRF token);
    a row left blank is ignored."""

    title = StringField(
        _l("Title"),
        validators=[Length(max=120, message=_l("A title has at most 120 characters."))],
        filters=[strip_whitespace],
    )
    minutes = IntegerField(
        _l("Minutes"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_SEGMENT_MINUTES,
                message=_l("Minutes must be between 1 and %(most)d.", most=MAX_SEGMENT_MINUTES),
            ),
        ],
    )
    hot_seat = BooleanField(_l("Hot seat"))

    @property
    def is_blank(self) -> bool:
        return not self.title.data and not _typed(self.minutes)

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        super().validate(extra_validators)
        if self.is_blank:
            return True
        if not self.title.data:
            self.title.errors.append(_("Give this segment a title."))
        if not _typed(self.minutes):
            self.minutes.errors.append(
                _("Give this segment its minutes (1 to %(most)d).", most=MAX_SEGMENT_MINUTES)
            )
        return not self.errors


class AgendaForm(VersionedForm):
    """An agenda as rows of segments. Blank rows are ignored, so there are always some to
    fill in, and "Add more rows" shows the form again with more (no JavaScript needed)."""

    segments = FieldList(FormField(SegmentForm), min_entries=1, max_entries=MAX_SEGMENTS)
    more_rows = SubmitField(_l("Add more rows"))

    def filled(self) -> list[dict[str, Any]]:
        rows = [entry.form for entry in self.segments]
        return [
            {"title": row.title.data, "minutes": row.minutes.data, "hot_seat": row.hot_seat.data}
            for row in rows
            if not row.is_blank
        ]

    def add_blank_rows(self) -> None:
        room = MAX_SEGMENTS - len(self.segments.entries)
        for _row in range(min(BLANK_ROWS, room)):
            self.segments.append_entry()

    def ready_to_save(self) -> bool:
        return not self.more_rows.data and self.validate_on_submit()


class FacilitatorCapacityForm(Form):
    """One row of the composer's facilitator table (a sub-form: the page form holds the CSRF)."""

    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), A_PERSON_ID])
    capacity = IntegerField(
        _l("Sets"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_SETS_PER_FACILITATOR)],
    )


class ComposeForm(FlaskForm):
    facilitators = FieldList(FormField(FacilitatorCapacityForm))
    set_count = IntegerField(
        _l("Number of sets"),
        validators=[Optional(), NumberRange(min=1, max=500)],
        description=_l("Leave empty and the composer chooses, aiming at sets of six."),
    )
    keep_apart_previous = BooleanField(
        _l("Keep apart people who shared a set in the previous cohort"), default=True
    )
    seed = IntegerField(
        _l("Seed"),
        default=1,
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
        description=_l(
            "The same people and seed give the same proposal; another seed, another one."
        ),
    )


class PlacementForm(VersionedForm):
    """Lock or unlock one person in the composer's draft."""

    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), A_PERSON_ID])


class MoveForm(PlacementForm):
    target = IntegerField(_l("Move to set"), validators=[InputRequired(), NumberRange(min=1)])


class EnrolPersonForm(FlaskForm):
    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), A_PERSON_ID])
