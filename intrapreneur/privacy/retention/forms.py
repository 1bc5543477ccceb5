"""The data protection page's form: one period per retention rule and one choice per kind
of text a person wrote, each field named after its setting and built from the setting's
definition (``privacy.settings``), so the page cannot offer what the settings refuse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange

from intrapreneur.privacy.settings import (
    RETENTION_RULES,
    TEXT_KINDS,
    TEXT_MODE_LABELS,
    RetentionRule,
    Settings,
    TextKind,
    TextMode,
    Unit,
)

UNIT_NAMES = {Unit.DAYS: _l("days"), Unit.MONTHS: _l("months"), Unit.YEARS: _l("years")}
# WTForms fills in %(min)s and %(max)s.
OUT_OF_RANGE = {
    Unit.DAYS: _l("Give a whole number of days from %(min)s to %(max)s."),
    Unit.MONTHS: _l("Give a whole number of months from %(min)s to %(max)s."),
    Unit.YEARS: _l("Give a whole number of years from %(min)s to %(max)s."),
}


class DataProtectionForm(FlaskForm):
    """Its fields are added below, one per setting."""

    def values(self) -> dict[str, str]:
        """Every setting's value as ``privacy.settings.change`` takes it."""
        return {name: str(self[name].data) for name in SETTING_NAMES}


def _period(rule: RetentionRule) -> IntegerField:
    return IntegerField(
        rule.label,
        validators=[
            InputRequired(),
            NumberRange(rule.minimum, rule.maximum, message=OUT_OF_RANGE[rule.unit]),
        ],
        description=_l(
            "In %(unit)s, counted %(starts)s; from %(minimum)s to %(maximum)s.",
            unit=UNIT_NAMES[rule.unit],
            starts=rule.starts,
            minimum=rule.minimum,
            maximum=rule.maximum,
        ),
    )


def _text_mode(kind: TextKind) -> SelectField:
    return SelectField(
        kind.label, choices=[SelectChoice(mode.value, TEXT_MODE_LABELS[mode]) for mode in TextMode]
    )


for _rule in RETENTION_RULES:
    setattr(DataProtectionForm, _rule.name, _period(_rule))
for _kind in TEXT_KINDS:
    setattr(DataProtectionForm, _kind.name, _text_mode(_kind))
SETTING_NAMES = [rule.name for rule in RETENTION_RULES] + [kind.name for kind in TEXT_KINDS]


def form_data(settings: Settings) -> dict[str, object]:
    """The settings in force, as the form's initial values."""
    return {
        **settings.retention,
        **{name: mode.value for name, mode in settings.text_modes.items()},
    }
