"""Input shape for sign-in, invitations and passwords; rules live in services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    ValidationError,
)

from intrapreneur.core.forms import DayField, VersionedForm, plausible_date, strip_whitespace
from intrapreneur.core.i18n import language_name, offered_locales, page_locale
from intrapreneur.core.timezones import offered_zone_names
from intrapreneur.identity.models import ApiScope
from intrapreneur.identity.passwords import MAX_LENGTH

DIRECTORY_SYNC_CHOICE = _l("Choose a dry run or a sync.")


class SignInForm(FlaskForm):
    login = StringField(
        _l("Username or email address"),
        validators=[DataRequired(), Length(max=254)],
        filters=[strip_whitespace],
        description=_l(
            "Employees: your company username. Guest entrepreneurs: your email address."
        ),
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class DevSignInForm(FlaskForm):
    person_id = SelectField(_l("Sign in as"), coerce=int, validators=[DataRequired()])


def not_in_the_past(form: Form, field: DateField) -> None:
    if field.data is not None and field.data < date.today():
        raise ValidationError(_("Choose today or a later day."))


def access_end_field() -> DateField:
    return DateField(
        _l("Access ends on"),
        # InputRequired, not DataRequired, so an unreadable date says so instead of "required".
        validators=[InputRequired(), plausible_date, not_in_the_past],
        description=_l("The guest's last day: after it they can no longer sign in."),
    )


class InviteGuestForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_whitespace],
        description=_l("The invitation link goes to this address; it is also their sign-in name."),
    )
    display_name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace]
    )
    access_ends_on = access_end_field()

    placement = SelectField(
        _l("Invite into"),
        default="",
        description=_l("Placed straight away: the set's facilitator sees them among its members."),
    )


class AccessEndForm(VersionedForm):
    """A guest's new last day: their access, or the access a new invitation offers."""

    access_ends_on = access_end_field()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        filters=[strip_whitespace],
        description=_l("The address your invitation came to, which you sign in with."),
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class AcceptInvitationForm(SetPasswordForm):
    """A guest's first password, and the language Intrapreneur will speak to them in: asked
    only where more than one is offered, the page's own language chosen to begin with."""

    language = SelectField(
        _l("Language"),
        description=_l("The language Intrapreneur's pages and emails speak to you in."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = offered_locales()
        if len(offered) < 2:
            del self.language
            return
        self.language.choices = [SelectChoice(code, language_name(code)) for code in offered]
        # The page's language is the one preselected; a post without the field (a client
        # that never showed it) keeps it, as a browser would have sent it.
        if not self.is_submitted() or "language" not in (request.form or {}):
            self.language.data = page_locale()


API_SCOPE_LABELS = {ApiScope.CULTURE_READ: _l("Culture figures (suppressed aggregates only)")}


class ApiClientForm(FlaskForm):
    name = StringField(
        _l("Client name"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip_whitespace],
        description=_l("Which system will use the token, e.g. “HR analytics warehouse”."),
    )
    scope = SelectField(
        _l("May read"),
        choices=[SelectChoice(scope.value, API_SCOPE_LABELS[scope]) for scope in ApiScope],
        default=ApiScope.CULTURE_READ.value,
        description=_l("Read culture figures only, for now: the one thing the API offers."),
    )
    expires_on = DayField(
        _l("Expires on"),
        validators=[InputRequired(), plausible_date, not_in_the_past],
        description=_l("The token's last day of use: a new token replaces it after that."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.expires_on.data is None and not self.is_submitted():
            days = current_app.config["API_TOKEN_DAYS"]
            self.expires_on.data = date.today() + timedelta(days=days)

    def validate_expires_on(self, field: DayField) -> None:
        longest = current_app.config["API_TOKEN_MAX_DAYS"]
        if field.data is not None and field.data > date.today() + timedelta(days=longest):
            raise ValidationError(
                ngettext(
                    "Choose a day at most %(num)d day from today: a token that outlives "
                    "its purpose is a standing risk.",
                    "Choose a day at most %(num)d days from today: a token that outlives "
                    "its purpose is a standing risk.",
                    longest,
                )
            )


class DirectorySyncForm(FlaskForm):
    """Two buttons, one field: ``mode`` is the pressed button's value."""

    mode = StringField(
        validators=[
            InputRequired(message=DIRECTORY_SYNC_CHOICE),
            AnyOf(["dry-run", "sync"], message=DIRECTORY_SYNC_CHOICE),
        ]
    )


class DirectoryLookupForm(Form):
    """The directory page's look-up: read from the query string, and changes nothing."""

    username = StringField(
        _l("Username"),
        validators=[InputRequired(message=_l("Enter a username.")), Length(max=256)],
        filters=[strip_whitespace],
        description=_l(
            "What the directory holds for this person, and the roles its groups give "
            "them here. No password needed."
        ),
    )


class EmailPreferencesForm(FlaskForm):
    """One box per email kind that can be turned off (``core.mail.OPTIONAL_KINDS``)."""

    action_reminders = BooleanField(
        _l("Commitments due tomorrow"),
        description=_l("The day before your commitments are due, one email listing them."),
    )
    session_reminders = BooleanField(
        _l("Sessions tomorrow"),
        description=_l("The day before each session of your set."),
    )
    review_notifications = BooleanField(
        _l("Reviews"),
        description=_l(
            "When a manager reviews your card or board, and, for managers, when someone "
            "asks for your review. They stay in your notifications in the app either way."
        ),
    )
    review_digests = BooleanField(
        _l("Cards waiting for my review (managers)"),
        description=_l(
            "One email a day while cards of your reports wait for your review, marking those "
            "that have waited too long. The daily notice in the app stays either way."
        ),
    )
    survey_reminders = BooleanField(
        _l("Survey reminders"),
        description=_l(
            "Up to two reminders of a survey you have not answered yet, before it closes."
        ),
    )
    learning_digests = BooleanField(
        _l("New learnings shared with the organisation"),
        description=_l(
            "On Mondays, one email with what ventures shared with the whole organisation "
            "learned the week before; none in a week without new learnings."
        ),
    )
    sponsor_digests = BooleanField(
        _l("The portfolio's month (sponsors)"),
        description=_l(
            "Once a month, the programme's ventures, funding and decisions in figures. "
            "The portfolio page stays open to you either way."
        ),
    )


class TimeZoneForm(FlaskForm):
    """A person's own time zone; none means the directory's, else the organisation's."""

    time_zone = SelectField(
        _l("Time zone"),
        description=_l("Every date and time in Intrapreneur is shown to you in this zone."),
    )

    def __init__(self, *args: Any, fallback: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fallback = fallback or _("Not chosen")
        self.time_zone.choices = [
            SelectChoice("", fallback),
            *(SelectChoice(name, name.replace("_", " ")) for name in offered_zone_names()),
        ]


class LanguageForm(FlaskForm):
    """A person's own language; none means the directory's, else the browser's."""

    language = SelectField(
        _l("Language"),
        description=_l("The language Intrapreneur's pages and emails speak to you in."),
    )

    def __init__(self, *args: Any, fallback: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fallback = fallback or _("Not chosen")
        self.language.choices = [
            SelectChoice("", fallback),
            *(SelectChoice(code, language_name(code)) for code in offered_locales()),
        ]


class CodeForm(FlaskForm):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        filters=[strip_whitespace],
        description=_l(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
