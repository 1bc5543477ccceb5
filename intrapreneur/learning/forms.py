"""Input shape for programmes, cohorts and enrolment decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    description = TextAreaField(
        "Description",
        validators=[Length(max=5000)],
        description="What the programme is for and who it is meant for.",
    )


class CohortForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    starts_on = DateField("Starts on", validators=[InputRequired(), plausible_date])
    ends_on = DateField("Ends on", validators=[InputRequired(), plausible_date])
    capacity = IntegerField(
        "Places",
        validators=[InputRequired(), NumberRange(min=1, max=2000)],
        description="How many participants the cohort accepts.",
    )
    enrolment_open = BooleanField("Open for employees to request a place")
    time_zone = StringField(
        "Time zone",
        default=organisation_zone_name,
        validators=[DataRequired(), Length(max=64)],
        filters=[strip_whitespace],
        description="The zone the cohort's dates are read in, as an IANA name: Europe/London, "
        "America/New_York, Asia/Singapore.",
    )

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The cohort must end on or after its first day.")

    def validate_time_zone(self, field: StringField) -> None:
        if field.data and not is_zone_name(field.data):
            raise ValidationError(
                f"{field.data!r} is not a time zone this system knows. "
                "Use an IANA name such as Europe/Paris."
            )


class EditProgrammeForm(ProgrammeForm, VersionedForm):
    pass


class EditCohortForm(CohortForm, VersionedForm):
    pass


class DecisionsForm(FlaskForm):
    """Accept or decline the requests ticked on a cohort's page."""

    enrolment_ids = SelectMultipleField(coerce=int, validate_choice=False)
    accept = SubmitField("Accept selected")
    decline = SubmitField("Decline selected")


class PeopleSearchForm(FlaskForm):
    """Read from the query string: a search changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Name, username or department",
        validators=[Length(max=100, message="Search with at most 100 characters.")],
        filters=[strip_whitespace],
    )


class RosterUploadForm(FlaskForm):
    roster = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file to upload.")],
        description="One column of usernames or email addresses, one person per line; a "
        "header line is optional. UTF-8 text (Excel: “CSV UTF-8”), at most 5,000 lines.",
    )


class RosterConfirmForm(FlaskForm):
    """The previewed lines, signed, sent back to enrol them."""

    signed_lines = HiddenField(validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions (join, accept, decline)."""


FORMAT_CHOICES = [
    SelectChoice("power_hour", "Power Hour (one hot seat, 60 min)"),
    SelectChoice("mastermind", "Mastermind (a hot seat per member)"),
    SelectChoice("hack", "Hack (timed group sprint on one problem)"),
    SelectChoice("enablement", "Enablement (skills session)"),
]


class SetForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    facilitator_id = SelectField("Facilitator", coerce=int, validators=[InputRequired()])
    default_format = SelectField("Usual format", choices=FORMAT_CHOICES)
    cadence_days = IntegerField(
        "Meets every (days)",
        default=14,
        validators=[InputRequired(), NumberRange(min=1, max=90)],
        description="Used to schedule a series of sessions.",
    )


class AddMemberForm(FlaskForm):
    person_id = SelectField("Person", coerce=int, validators=[InputRequired()])


class FacilitatorForm(VersionedForm):
    person_id = SelectField(
        "Facilitator",
        coerce=int,
        validators=[InputRequired()],
        description="Employees and guest entrepreneurs who facilitate sets.",
    )


class LeaveSetForm(VersionedForm):
    """Taking a member out of their set; ``confirmed`` once they have seen what it changes."""

    confirmed = BooleanField("Go ahead, although the set keeps fewer members than it needs")


class MoveMemberForm(LeaveSetForm):
    target_id = SelectField("Move to", coerce=int, validators=[InputRequired()])


def one_line(value: str | None) -> str | None:
    """WTForms filter: a line typed or pasted with breaks or runs of spaces becomes one
    line, single-spaced."""
    return " ".join(value.split()) if isinstance(value, str) else value


USEFULNESS_CHOICES = [
    SelectChoice(1, "1: not useful"),
    SelectChoice(2, "2"),
    SelectChoice(3, "3"),
    SelectChoice(4, "4"),
    SelectChoice(5, "5: very useful"),
]


class FeedbackForm(FlaskForm):
    usefulness = RadioField(
        "How useful was this session for you?",
        choices=USEFULNESS_CHOICES,
        coerce=int,
        validators=[InputRequired(message="Choose how useful the session was, from 1 to 5.")],
    )
    next_step = StringField(
        "The one thing you will do next",
        validators=[
            DataRequired(message="Name the one thing you will do next."),
            Length(max=300, message="Keep it to 300 characters or fewer."),
        ],
        filters=[one_line],
        description="One line. Your facilitator and the programme team see the set's answers "
        "together, without names, once answering has closed and at least three members answered.",
    )


class WhenAndWhereForm(FlaskForm):
    """When and where a session happens: shared by scheduling and rescheduling."""

    day = DateField("Date", validators=[InputRequired(), plausible_date])
    start = TimeField("Starts at", validators=[InputRequired()])
    location = StringField(
        "Place", validators=[Optional(), Length(max=300)], filters=[strip_whitespace]
    )
    video_url = URLField(
        "Video link",
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
        filters=[strip_whitespace],
    )


class ScheduleForm(WhenAndWhereForm):
    session_format = SelectField("Format", choices=FORMAT_CHOICES)
    count = IntegerField(
        "Number of sessions",
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=20)],
        description="More than one schedules a series at the set's usual interval.",
    )


BARRIER_CHOICES = [
    SelectChoice("permission", "Permission or sign-off"),
    SelectChoice("resources", "Money or resources"),
    SelectChoice("time", "Time"),
    SelectChoice("skills", "Skills or knowledge"),
    SelectChoice("customer_access", "Access to customers"),
    SelectChoice("politics", "Politics or stakeholders"),
    SelectChoice("risk_aversion", "Fear of failure or risk aversion"),
    SelectChoice("other", "Something else"),
]
REVIEW_CHOICES = [
    SelectChoice("done", "Done"),
    SelectChoice("partly", "Partly done"),
    SelectChoice("not_done", "Not done"),
]


class ChallengeForm(VersionedForm):
    """The barrier a member brings to the hot seat."""

    challenge_title = StringField(
        "Challenge", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    challenge_description = TextAreaField(
        "What stands in the way", validators=[Length(max=5000)], filters=[strip_whitespace]
    )
    barrier = SelectField("Kind of barrier", choices=BARRIER_CHOICES)


class HotSeatForm(ChallengeForm):
    person_id = SelectField("Member in the hot seat", coerce=int, validators=[InputRequired()])


class QuestionForm(FlaskForm):
    asked_by_id = SelectField("Asked by", coerce=int, validators=[InputRequired()])
    text = StringField(
        "Question", validators=[DataRequired(), Length(max=300)], filters=[strip_whitespace]
    )


class CommitmentForm(FlaskForm):
    description = StringField(
        "Commitment", validators=[DataRequired(), Length(max=500)], filters=[strip_whitespace]
    )
    due_on = DateField("Due", validators=[InputRequired(), plausible_date])


class ReviewForm(FlaskForm):
    status = SelectField("How did it go", choices=REVIEW_CHOICES)
    learning = TextAreaField(
        "What was learned", validators=[Length(max=2000)], filters=[strip_whitespace]
    )


class ExperimentFromActionForm(FlaskForm):
    venture_id = SelectField("Experiment on", coerce=int, validators=[InputRequired()])


class RescheduleForm(WhenAndWhereForm, VersionedForm):
    pass


# A person's id in a hidden field: only a tampered or mangled form holds another.
A_PERSON_ID = NumberRange(
    min=1, max=MAX_ID, message="No such person: reload the page and try again."
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
        "Title",
        validators=[Length(max=120, message="A title has at most 120 characters.")],
        filters=[strip_whitespace],
    )
    minutes = IntegerField(
        "Minutes",
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_SEGMENT_MINUTES,
                message=f"Minutes must be between 1 and {MAX_SEGMENT_MINUTES}.",
            ),
        ],
    )
    hot_seat = BooleanField("Hot seat")

    @property
    def is_blank(self) -> bool:
        return not self.title.data and not _typed(self.minutes)

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        super().validate(extra_validators)
        if self.is_blank:
            return True
        if not self.title.data:
            self.title.errors.append("Give this segment a title.")
        if not _typed(self.minutes):
            self.minutes.errors.append(
                f"Give this segment its minutes (1 to {MAX_SEGMENT_MINUTES})."
            )
        return not self.errors


class AgendaForm(VersionedForm):
    """An agenda as rows of segments. Blank rows are ignored, so there are always some to
    fill in, and "Add more rows" shows the form again with more (no JavaScript needed)."""

    segments = FieldList(FormField(SegmentForm), min_entries=1, max_entries=MAX_SEGMENTS)
    more_rows = SubmitField("Add more rows")

    def filled(self) -> list[dict[str, Any]]:
        rows = [entry.form for entry in self.segments]
        return [
            {"title": row.title.data, "minutes": row.minutes.data, "hot_seat": row.hot_seat.data}
            for row in rows
            if not row.is_blank
        ]

    def add_blank_rows(self) -> None:
        room = MAX_SEGMENTS - len(self.segments.entries)
        for _ in range(min(BLANK_ROWS, room)):
            self.segments.append_entry()

    def ready_to_save(self) -> bool:
        return not self.more_rows.data and self.validate_on_submit()


class FacilitatorCapacityForm(Form):
    """One row of the composer's facilitator table (a sub-form: the page form holds the CSRF)."""

    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), A_PERSON_ID])
    capacity = IntegerField(
        "Sets",
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_SETS_PER_FACILITATOR)],
    )


class ComposeForm(FlaskForm):
    facilitators = FieldList(FormField(FacilitatorCapacityForm))
    set_count = IntegerField(
        "Number of sets",
        validators=[Optional(), NumberRange(min=1, max=500)],
        description="Leave empty and the composer chooses, aiming at sets of six.",
    )
    keep_apart_previous = BooleanField(
        "Keep apart people who shared a set in the previous cohort", default=True
    )
    seed = IntegerField(
        "Seed",
        default=1,
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
        description="The same people and seed give the same proposal; another seed, another one.",
    )


class PlacementForm(VersionedForm):
    """Lock or unlock one person in the composer's draft."""

    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), A_PERSON_ID])


class MoveForm(PlacementForm):
    target = IntegerField("Move to set", validators=[InputRequired(), NumberRange(min=1)])


class EnrolPersonForm(FlaskForm):
    person_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), A_PERSON_ID])
