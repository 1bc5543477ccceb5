"""Other people named in a person's texts are blanked: whole words, any case and spacing,
the longest name first, the person's own name kept, the product's codes never taken for
a username."""

from __future__ import annotations

from collections.abc import Callable

from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.privacy.subject_export.archive import json_value
from intrapreneur.privacy.subject_export.redaction import Redactor, product_codes, redactor_for

MARK = "[x]"


def _redactor(own: list[str], others: list[str], codes: frozenset[str] = frozenset()) -> Redactor:
    return Redactor(own, others, marker=MARK, codes=codes)


def test_whole_words_in_any_case_and_spacing() -> None:
    redact = _redactor(["Tom Becker"], ["Bob Smith", "bob"])

    assert redact("Bob Smith reviewed your card") == "[x] reviewed your card"
    assert redact("ask BOB  \n smith, or bob.") == "ask [x], or [x]."
    assert redact("Bobby and bobsleigh stay") == "Bobby and bobsleigh stay"
    assert redact("") == "" and redact("no names here") == "no names here"


def test_the_longest_name_wins_and_the_persons_own_is_kept() -> None:
    redact = _redactor(["Anna Schmidt", "anna@corp.example"], ["Anna", "Anna Schmidt-Weber"])

    assert redact("Anna Schmidt met Anna") == "Anna Schmidt met [x]"
    assert redact("Anna Schmidt-Weber wrote") == "[x] wrote"
    assert redact("mail anna@corp.example") == "mail anna@corp.example"
    # Someone else with the very same name cannot be told apart: the person's own wins.
    assert _redactor(["Sam Lee"], ["Sam Lee"])("Sam Lee") == "Sam Lee"


def test_emails_and_directory_names_are_blanked_whole() -> None:
    redact = _redactor([], ["grace@corp.example", "uid=gliu,ou=people,dc=corp,dc=example"])

    assert redact("<grace@corp.example>.") == "<[x]>."
    assert redact("manager: UID=gliu,ou=people,dc=corp,dc=example") == "manager: [x]"


def test_the_products_codes_and_numbers_are_never_taken_for_a_username(app: object) -> None:
    codes = product_codes()
    assert {"admin", "support", "pending", "employee"} <= codes

    redact = _redactor([], ["admin", "Ada Admin", "4821"], codes)

    assert redact("roles: admin, hr") == "roles: admin, hr"
    assert redact("Ada Admin approved") == "[x] approved"
    assert redact("object 4821") == "object 4821"  # numbers are how rows name people


def test_every_string_of_a_json_value_is_redacted_and_values_keep_their_type() -> None:
    redact = _redactor([], ["Bob Smith"])
    value = {"who": ["Bob Smith", 3, None], "said": {"text": "hi bob smith"}, "ok": True}

    assert json_value(value, redact) == {
        "who": [MARK, 3, None],
        "said": {"text": "hi [x]"},
        "ok": True,
    }


def test_the_exports_redactor_holds_everyone_else(make_person: Callable[..., Person]) -> None:
    tom = make_person(display_name="Tom Becker", username="tbecker")
    bob = make_person(Role.ADMIN, display_name="Bob Smith", directory_id="guid-of-bob")
    db.session.flush()

    redact = redactor_for(tom, MARK)

    said = f"{bob.display_name} <{bob.email}> ({bob.username}, guid-of-bob) and Tom Becker"
    assert redact(said) == "[x] <[x]> ([x], [x]) and Tom Becker"
