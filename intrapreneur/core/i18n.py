"""The product's languages: which one each reader gets, and Babel set up to format in it.

A language is offered once its catalogue ships (``translations/<language>/LC_MESSAGES``;
a test keeps every shipped catalogue complete); English, the language the messages are
written in, always is. A reader's language is, in order: the one they chose on their
profile, the one the directory's ``preferredLanguage`` asks for, the best of the browser's
``Accept-Language``, the organisation's ``INTRAPRENEUR_DEFAULT_LOCALE`` — each only if
offered. Dates and times are formatted by Babel in that language and the reader's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.pofile import PoFileError, read_po
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

SOURCE_LOCALE = "en"
# The languages the product is being translated into, each named in itself so that a
# reader who cannot read the page still finds their own.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
# Scripts written right to left: the page turns with them (dir="rtl").
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
CATALOGUES = Path(__file__).resolve().parent.parent / "translations"
API_PREFIX = "/api/"


def language_name(code: str) -> str:
    """A language named in itself ("Deutsch"), also for a catalogue added beyond the four."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def catalogued_locales(directories: list[Path]) -> tuple[str, ...]:
    """English, then every language with a compiled catalogue in ``directories``."""
    found = {
        language.name
        for directory in directories
        if directory.is_dir()
        for language in directory.iterdir()
        if (language / "LC_MESSAGES" / "messages.mo").is_file()
    }
    return (SOURCE_LOCALE, *sorted(found - {SOURCE_LOCALE}))


def check_catalogue(folder: Path) -> None:
    """Stop the start, naming the file (and the line), rather than serve pages from a
    catalogue that is broken or older than its source: the compiled ``messages.mo`` must
    load, and must be newer than the ``messages.po`` it was compiled from."""
    from intrapreneur.settings.reading import ConfigError  # settings import this module

    compiled, source = folder / "messages.mo", folder / "messages.po"
    try:
        with compiled.open("rb") as file:
            GNUTranslations(file)
    except (OSError, UnicodeDecodeError, ValueError, IndexError) as error:
        raise ConfigError(f"{compiled} is not a compiled catalogue ({error})") from None
    if source.is_file() and source.stat().st_mtime > compiled.stat().st_mtime:
        try:
            with source.open("rb") as file:
                read_po(file, abort_invalid=True)
        except PoFileError as error:
            # Babel counts lines from 0, and ends its message with that count ("… on 29").
            reason = str(error).rsplit(" on ", 1)[0]
            raise ConfigError(f"{source}:{error.lineno + 1}: {reason}") from None
        raise ConfigError(f"{source} changed after it was compiled: `make install` compiles it")


def first_of(preferences: LanguageAccept, languages: tuple[str, ...]) -> str | None:
    """The first of ``languages`` that a ranked preference list asks for, by its primary
    subtag: "de-AT, en;q=0.5" asks for German first. (Werkzeug's ``best_match`` would
    answer English here, preferring any exact match over a regional variant.)"""
    for tag, _ in preferences:  # highest quality first
        language = tag.replace("_", "-").split("-")[0].lower()
        if language in languages:
            return language
    return None


def preferred_locale(preference: str | None) -> str | None:
    """The language a preference list such as "de-AT" or "fr, en;q=0.8" (the directory's
    preferredLanguage, RFC 2798) ranks first among those being translated, else None."""
    if not preference:
        return None
    return first_of(parse_accept_header(preference, LanguageAccept), tuple(LANGUAGE_NAMES))


def offered_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LOCALES"])


def _reader() -> Any:
    """The person being written for: an email's recipient (``writing_for``), else the
    signed-in person — or None where they must not be looked up: on a page about the
    database being out of reach (``core.errors`` marks it)."""
    if g and "recipient" in g:
        return g.recipient
    if has_request_context() and g.get("database_unreachable"):
        return None
    return current_user


@contextmanager
def writing_for(person: Any) -> Iterator[None]:
    """Messages, dates and times in ``person``'s language and zone while an email (or
    anything else sent to them) is written, whoever's request or job writes it."""
    earlier = g.pop("recipient", None) if "recipient" in g else _NOBODY
    g.recipient = person
    try:
        with force_locale(reader_locale()):
            yield
    finally:
        del g.recipient
        if earlier is not _NOBODY:
            g.recipient = earlier


_NOBODY = object()


def first_offered(preferences: Iterable[str | None]) -> str | None:
    """The first offered language among a person's own (their choice, the directory's)."""
    offered = offered_locales()
    return next((str(own) for own in preferences if own in offered), None)


def locale_for(preferences: Iterable[str | None]) -> str:
    """The language someone is written to when no browser speaks for them (a survey wave's
    invitees): the first offered of their own, else the organisation's default."""
    return first_offered(preferences) or str(current_app.config["DEFAULT_LOCALE"])


def reader_locale() -> str:
    """The language of the page being made (or of the email being written for someone)."""
    speaking_to_browser = has_request_context() and "recipient" not in g
    if speaking_to_browser and request.path.startswith(API_PREFIX):
        # The API's readers are programs: every answer in English, like its documentation,
        # whatever the caller's headers ask for.
        return SOURCE_LOCALE
    if own := first_offered(getattr(_reader(), "language_preferences", ())):
        return own
    # The browser speaks for the person at it, not for an email's recipient.
    if speaking_to_browser:
        asked = first_of(request.accept_languages, offered_locales())
        if asked:
            return asked
    return str(current_app.config["DEFAULT_LOCALE"])


def reader_time_zone() -> str | None:
    """The reader's own zone (their choice, the directory's, else the organisation's)."""
    return getattr(_reader(), "time_zone", None) or current_app.config.get("DEFAULT_TIME_ZONE")


def page_locale() -> str:
    return str(get_locale() or SOURCE_LOCALE)


def language_name_on_page(language: str) -> str:
    """A language's name in the reader's language: "German" on an English page."""
    return Locale.parse(language).get_display_name(page_locale()) or language


def page_direction() -> str:
    return "rtl" if page_locale().split("_")[0] in RIGHT_TO_LEFT else "ltr"


def init_i18n(app: Flask) -> None:
    """Babel for the app; the offered languages in ``LOCALES``. Raises ConfigError when
    the organisation's default language has no catalogue."""
    from intrapreneur.settings.reading import ConfigError  # settings import this module

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUES))
    directories = [
        Path(path) for path in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";") if path
    ]
    app.config["LOCALES"] = catalogued_locales(directories)
    for directory in directories:
        for language in app.config["LOCALES"][1:]:
            if (directory / language / "LC_MESSAGES" / "messages.mo").is_file():
                check_catalogue(directory / language / "LC_MESSAGES")
    default = app.config.get("DEFAULT_LOCALE", SOURCE_LOCALE)
    if default not in app.config["LOCALES"]:
        raise ConfigError(
            f"INTRAPRENEUR_DEFAULT_LOCALE is {default!r}, but the languages with a catalogue "
            f"are {', '.join(app.config['LOCALES'])}"
        )
    # One Babel per app, not one for the module: Flask-Babel caches the loaded catalogues on
    # its instance, and an app must read its own (tests make apps with other catalogues).
    Babel().init_app(
        app,
        default_locale=default,
        locale_selector=reader_locale,
        timezone_selector=reader_time_zone,
    )
    app.jinja_env.globals.update(page_locale=page_locale, page_direction=page_direction)
