"""Which language each reader gets: their own choice, the directory's preferredLanguage (read
from the real slapd), the browser's Accept-Language, the organisation's default — each only
once its catalogue ships — and the catalogues themselves kept complete.

The app here carries test catalogues for German and French (a few messages of the page
layout and the profile), compiled at the start as `make install` compiles the shipped ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur import create_app
from intrapreneur.core.i18n import CATALOGUES, catalogued_locales, preferred_locale
from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.models import Person
from intrapreneur.identity.sync import sync_directory
from intrapreneur.settings import ConfigError, DirectorySettings
from tests.conftest import (
    FreshContextClient,
    csrf_token,
    environment_for,
    migrated_app,
    sign_in_as,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = {
    "de": {"Skip to content": "Zum Inhalt springen", "Your language": "Ihre Sprache"},
    "fr": {"Skip to content": "Aller au contenu", "Your language": "Votre langue"},
}
SKIP_LINK = {"en": "Skip to content", "de": "Zum Inhalt springen", "fr": "Aller au contenu"}


def write_catalogue(root: Path, language: str, messages: dict[str, str]) -> Path:
    """``root/<language>/LC_MESSAGES/messages.po`` and its compiled .mo."""
    folder = root / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = Catalog(locale=language)
    for source, translation in messages.items():
        catalogue.add(source, translation)
    with (folder / "messages.po").open("wb") as po:
        write_po(po, catalogue)
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    return folder / "messages.po"


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("translations")
    for language, messages in TRANSLATED.items():
        write_catalogue(root, language, messages)
    return root


@pytest.fixture(scope="module")
def app(
    empty_database: Callable[[str], object],
    tmp_path_factory: pytest.TempPathFactory,
    catalogues: Path,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    """This module's own app, on its own database, with the test catalogues in place of
    the shipped ones."""
    monkeypatch_module.setattr(
        "intrapreneur.core.i18n.CATALOGUES", catalogues
    )  # read by init_i18n when the app is made
    with migrated_app(empty_database, tmp_path_factory, "languages") as application:
        yield application


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _page_language(client: FlaskClient, url: str, **headers: str) -> tuple[str, str]:
    """The page's lang attribute, and which skip link text it carries."""
    page = client.get(url, headers=headers).get_data(as_text=True)
    lang = page.split('<html lang="', 1)[1].split('"', 1)[0]
    shown = [language for language, text in SKIP_LINK.items() if f">{text}</a>" in page]
    assert len(shown) == 1, shown
    return lang, shown[0]


# -- choosing ---------------------------------------------------------------------------


def test_only_languages_with_a_catalogue_are_offered(app: Flask) -> None:
    assert app.config["LOCALES"] == ("en", "de", "fr")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.3", "fr"),
        ("de-AT", "de"),
        ("pt-BR, de;q=0.4", "de"),  # the best among those offered, not the first asked for
        ("de-AT, en;q=0.5", "de"),  # a regional variant of German still outranks English
        ("es-ES", "en"),  # Spanish is being translated but has no catalogue here
        ("", "en"),
    ],
)
def test_a_visitor_gets_their_browsers_language_among_those_offered(
    client: FlaskClient, accept: str, expected: str
) -> None:
    assert _page_language(client, "/sign-in", **{"Accept-Language": accept}) == (
        expected,
        expected,
    )


def test_directory_language_then_own_choice_outrank_the_browser(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    person = make_person()
    sign_in_as(client, person)
    french_browser = {"Accept-Language": "fr"}
    assert _page_language(client, "/", **french_browser) == ("fr", "fr")

    person.directory_locale = "de"
    db.session.commit()
    assert _page_language(client, "/", **french_browser) == ("de", "de")

    person.chosen_locale = "fr"
    db.session.commit()
    assert _page_language(client, "/", **{"Accept-Language": "de"}) == ("fr", "fr")


def test_a_chosen_language_without_catalogue_falls_back_cleanly(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    person = make_person(chosen_locale="es", directory_locale="de")
    sign_in_as(client, person)
    # Spanish is not offered: the directory's German is next.
    assert _page_language(client, "/", **{"Accept-Language": "fr"}) == ("de", "de")
    person.directory_locale = "pt"
    db.session.commit()
    assert _page_language(client, "/", **{"Accept-Language": "fr"}) == ("fr", "fr")


def test_a_person_chooses_their_language_on_their_profile(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    person = make_person(directory_locale="de")
    sign_in_as(client, person)
    profile = client.get("/account/profile").get_data(as_text=True)
    assert "Ihre Sprache" in profile  # the section, in the directory's German
    assert "Not chosen: the company directory&#39;s Deutsch" in profile

    token = csrf_token(client, "/account/profile")
    answer = client.post("/account/language", data={"csrf_token": token, "language": "fr"})
    assert answer.status_code == 302
    db.session.refresh(person)
    assert person.chosen_locale == "fr"
    assert _page_language(client, "/account/profile") == ("fr", "fr")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.language_chosen")
    ).one()
    assert (event.actor_id, event.details) == (person.id, {"language": "fr"})

    client.post("/account/language", data={"csrf_token": token, "language": ""})
    db.session.refresh(person)
    assert person.chosen_locale is None  # back to the directory's
    assert _page_language(client, "/account/profile") == ("de", "de")


@pytest.mark.parametrize("language", ["es", "xx", "../../etc"])
def test_a_language_not_offered_is_refused_next_to_the_field(
    client: FlaskClient, make_person: Callable[..., Person], language: str
) -> None:
    person = make_person(chosen_locale="de")
    sign_in_as(client, person)
    token = csrf_token(client, "/account/profile")
    answer = client.post("/account/language", data={"csrf_token": token, "language": language})
    assert answer.status_code == 422
    # Next to the field, in the reader's German: WTForms' own messages follow the language.
    assert (
        '<p class="error" id="language-error"><span class="error-label">Error:</span> '
        "Keine gültige Auswahl.</p>"
    ) in answer.get_data(as_text=True)
    db.session.refresh(person)
    assert person.chosen_locale == "de"


def test_choosing_a_language_needs_the_forms_token_and_a_session(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    token = csrf_token(client, "/sign-in")
    answer = client.post("/account/language", data={"csrf_token": token, "language": "fr"})
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
    person = make_person()
    sign_in_as(client, person)
    assert client.post("/account/language", data={"language": "fr"}).status_code == 400
    db.session.refresh(person)
    assert person.chosen_locale is None


# -- from the directory -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        ("de-AT", "de"),
        ("fr, en;q=0.8", "fr"),
        ("de-AT, en;q=0.5", "de"),
        ("en;q=0.2, es-MX", "es"),
        ("pt-BR, es;q=0.5", "es"),
        ("pt-BR", None),
        ("", None),
        (None, None),
        (";;q=x", None),
    ],
)
def test_preferred_language_is_read_as_a_ranked_list(
    preference: str | None, expected: str | None
) -> None:
    assert preferred_locale(preference) == expected


def test_sync_reads_preferred_language_from_the_directory(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    sync_directory(Directory(use_directory()))

    def person(username: str) -> Person:
        return db.session.scalars(select(Person).where(Person.username == username)).one()

    assert person("erin").directory_locale == "de"  # "de-AT, en;q=0.5"
    assert person("frank").directory_locale is None  # "pt-BR": not being translated
    assert person("carol").directory_locale is None  # no attribute on her entry


def test_an_unmapped_language_attribute_reads_nothing(
    use_directory: Callable[..., DirectorySettings],
) -> None:
    sync_directory(Directory(use_directory(LDAP_ATTR_MAP='{"locale": ""}')))
    erin = db.session.scalars(select(Person).where(Person.username == "erin")).one()
    assert erin.directory_locale is None


# -- the organisation's default ---------------------------------------------------------


def test_the_default_language_must_be_one_being_translated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DEFAULT_LOCALE must be one of en, de, fr, es"):
        create_app(environment_for("sqlite://", tmp_path, INTRAPRENEUR_DEFAULT_LOCALE="pt"))


def test_a_default_language_without_catalogue_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("intrapreneur.core.i18n.CATALOGUES", tmp_path / "none")
    with pytest.raises(ConfigError, match=r"'de', but the languages with a catalogue are en$"):
        create_app(environment_for("sqlite://", tmp_path, INTRAPRENEUR_DEFAULT_LOCALE="de"))


def test_a_default_language_with_catalogue_greets_visitors_in_it(
    tmp_path: Path, catalogues: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("intrapreneur.core.i18n.CATALOGUES", catalogues)
    german = create_app(
        environment_for(
            f"sqlite:///{tmp_path / 'x.db'}", tmp_path, INTRAPRENEUR_DEFAULT_LOCALE="de"
        )
    )
    german.test_client_class = FreshContextClient
    # /healthz-like pages need no database; the sign-in page's layout needs none either.
    assert _page_language(german.test_client(), "/sign-in") == ("de", "de")
    assert _page_language(german.test_client(), "/sign-in", **{"Accept-Language": "fr"}) == (
        "fr",
        "fr",
    )


def test_a_broken_compiled_catalogue_stops_the_start_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po_file = write_catalogue(tmp_path / "translations", "de", TRANSLATED["de"])
    po_file.with_suffix(".mo").write_bytes(b"not a catalogue")
    monkeypatch.setattr("intrapreneur.core.i18n.CATALOGUES", tmp_path / "translations")
    with pytest.raises(ConfigError, match=r"de/LC_MESSAGES/messages.mo is not a compiled"):
        create_app(environment_for("sqlite://", tmp_path))


def test_a_catalogue_edited_after_compiling_stops_the_start_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po_file = write_catalogue(tmp_path / "translations", "de", TRANSLATED["de"])
    monkeypatch.setattr("intrapreneur.core.i18n.CATALOGUES", tmp_path / "translations")
    compiled_at = po_file.with_suffix(".mo").stat().st_mtime
    lines = po_file.read_text().splitlines()
    po_file.write_text("\n".join([*lines, "", 'msgid "Home"', 'msgstr "Start"', "Start"]) + "\n")
    os.utime(po_file, (compiled_at + 10, compiled_at + 10))
    line = len(lines) + 4
    with pytest.raises(ConfigError, match=rf"messages.po:{line}: Unknown or misformatted keyword$"):
        create_app(environment_for("sqlite://", tmp_path))

    po_file.write_text("\n".join([*lines, "", 'msgid "Home"', 'msgstr "Start"']) + "\n")
    os.utime(po_file, (compiled_at + 10, compiled_at + 10))
    with pytest.raises(ConfigError, match=r"changed after it was compiled: `make install`"):
        create_app(environment_for("sqlite://", tmp_path))


# -- the shipped catalogues -------------------------------------------------------------


def incomplete_messages(po_file: Path) -> list[str]:
    """Each message of the catalogue that is untranslated or fuzzy, or whose placeholders
    differ from the English ones (a page would fail on it), as "file:line: id"."""
    with po_file.open("rb") as opened:
        catalogue = read_po(opened)
    placeholders_differ = {id(message) for message, _ in catalogue.check()}
    return [
        f"{po_file}:{message.lineno}: {message.id!r}"
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not all(_texts(message.string))
            or id(message) in placeholders_differ
            or any(
                _blanks(text) != _blanks(_texts(message.id)[0]) for text in _texts(message.string)
            )
        )
    ]


def _texts(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _blanks(text: str) -> set[str]:
    """The {named} blanks that the page's script fills in (core placeholders are checked
    by Babel)."""
    return set(re.findall(r"\{\w+\}", text))


def messages_of_the_code() -> set[str]:
    """Every message the code and templates ask to translate, found as `make translations`
    finds them (babel.cfg, and the Makefile's extra keywords for lazy messages)."""
    with (REPO_ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = extract_from_dir(REPO_ROOT, method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def test_every_message_of_the_code_is_in_every_shipped_catalogue() -> None:
    """A message added to the code after the last `make translations` would be shown in
    English on every translated page."""
    asked = messages_of_the_code()
    assert len(asked) > 40  # the check reads the code at all
    for po_file in sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po")):
        with po_file.open("rb") as opened:
            catalogued = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(opened)}
        assert sorted(asked - catalogued) == [], f"{po_file}: run `make translations`"


def test_every_shipped_catalogue_is_complete_and_compiled() -> None:
    shipped = sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po"))
    problems = [problem for po in shipped for problem in incomplete_messages(po)]
    assert problems == []
    assert catalogued_locales([CATALOGUES]) == (
        "en",
        *sorted(po.parents[1].name for po in shipped),
    ), "every shipped catalogue is compiled (make install)"


def test_the_catalogue_check_finds_untranslated_and_fuzzy_messages(tmp_path: Path) -> None:
    po_file = write_catalogue(tmp_path, "de", {"Home": "Start", "Profile": ""})
    with po_file.open("rb") as opened:
        catalogue = read_po(opened)
    catalogue.add("Sign out", "Abmelden", flags=["fuzzy"])
    catalogue.add("Hello %(name)s", "Hallo %(nom)s", flags=["python-format"])
    catalogue.add("{time} left", "{zeit} übrig")
    catalogue.add("{time} over time", "{time} überzogen")
    with po_file.open("wb") as written:
        write_po(written, catalogue)
    found = incomplete_messages(po_file)
    assert [problem.split(": ", 1)[1] for problem in found] == [
        "'Profile'",
        "'Sign out'",
        "'Hello %(name)s'",
        "'{time} left'",
    ]


def test_a_refused_time_zone_keeps_the_language_form_showing_the_persons_choice(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    """Two forms on one page: refusing one shows the other as the person left it."""
    sign_in_as(client, make_person(chosen_locale="fr"))
    token = csrf_token(client, "/account/profile")
    answer = client.post("/account/profile", data={"csrf_token": token, "time_zone": "Mars/Base"})
    assert answer.status_code == 422
    assert '<option selected value="fr">Français</option>' in answer.get_data(as_text=True)
