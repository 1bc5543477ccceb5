"""The languages of a survey: those its invitees read, the texts an instrument lacks in
them (which refuse the wave), and the language each questionnaire is shown and answered in.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intrapreneur.core.i18n import first_offered, language_name_on_page, locale_for, reader_locale
from intrapreneur.culture import queries
from intrapreneur.culture.instruments import SOURCE_LANGUAGE, Instrument, TextPlace
from intrapreneur.culture.models import SurveyInvitation, SurveyWave


def invitee_languages(wave: SurveyWave) -> set[str]:
    """The languages a wave's invitees read: each one's own (chosen, else the directory's),
    else the organisation's default — only languages the product offers."""
    return {locale_for(pair) for pair in queries.invitee_language_preferences(wave.id)}


def missing_texts(instrument: Instrument, languages: set[str]) -> list[str]:
    """What refuses a wave: someone it invites would read an item, a label or an instruction
    in another language than theirs. One sentence per language, listing every missing text."""
    missing: dict[str, list[str]] = {}
    for place, language in instrument.missing_texts(languages):
        missing.setdefault(language, []).append(describe_place(place))
    return [
        _(
            "Some invitees read %(language)s, but the instrument %(instrument)s has "
            "no %(language)s text for: %(texts)s.",
            language=language_name_on_page(language),
            instrument=instrument.key,
            texts="; ".join(texts),
        )
        for language, texts in missing.items()
    ]


# Which text of an instrument, as a refusal names it ("of": the point or id it belongs to).
TEXT_PLACES = {
    "title": _l("the title"),
    "description": _l("the description"),
    "instructions": _l("the instructions"),
    "scale label": _l("the label of scale point %(of)s"),
    "dimension name": _l("the name of dimension “%(of)s”"),
    "dimension description": _l("the description of dimension “%(of)s”"),
    "item": _l("item “%(of)s”"),
}


def describe_place(place: TextPlace) -> str:
    return str(TEXT_PLACES[place.kind]) % {"of": place.of}


def page_language(invitation: SurveyInvitation) -> str:
    """The language of the questionnaire's page: the invitee's own (also on the personal
    link, where nobody is signed in), else the browser's, else the organisation's."""
    return first_offered(invitation.person.language_preferences) or reader_locale()


def questionnaire_language(invitation: SurveyInvitation, instrument: Instrument) -> str:
    """The language the items are shown and the answer recorded in: the page's, or
    English where the instrument is not written in it."""
    language = page_language(invitation)
    return language if language in instrument.languages else SOURCE_LANGUAGE
