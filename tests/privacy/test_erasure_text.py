"""The text rewriting erasure does: contact details redacted, mentions replaced as whole
words in any case, in text and in JSON (keys too)."""

from __future__ import annotations

import pytest

from intrapreneur.privacy.erasure.text import Mentions, redact

KEPT = None


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Mail jo.b+x@home.example.", "Mail [x]."),
        ("Call +49 (30) 1234-5678 now", "Call [x] now"),
        ("or 020 7946 0958, evenings", "or [x], evenings"),
        ("See https://wiki.example/a?b=1, then", "See [x], then"),
        ("notes: www.notes.example/plan.", "notes: [x]."),
        ("Due 2025-03-01 or 1.3.2025, budget 1,500,000, room 4012", KEPT),
        ("Order 250 000 units by 12 May", KEPT),
    ],
)
def test_redaction_takes_out_addresses_phone_numbers_and_links_only(
    text: str, redacted: str | None
) -> None:
    assert redact(text, "[x]") == (text if redacted is KEPT else redacted)


MENTIONS = Mentions(("Tom Becker", "tbecker@corp.example", "tbecker"), "Former participant #7")


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("Thanks, TOM BECKER.", "Thanks, Former participant #7."),
        ("mail tbecker@corp.example today", "mail Former participant #7 today"),
        ("see /wiki/tbecker-notes", "see /wiki/Former participant #7-notes"),
        ("tbeckerson and atbecker are others", KEPT),
    ],
)
def test_a_mention_is_replaced_as_a_whole_word_in_any_case(
    text: str, rewritten: str | None
) -> None:
    assert MENTIONS.replace(text) == (text if rewritten is KEPT else rewritten)


def test_a_mention_is_replaced_in_every_string_of_a_json_value() -> None:
    agenda = [
        {"title": "Pitch by Tom Becker", "minutes": 10, "by tbecker": [True, None, "tbecker"]}
    ]
    assert MENTIONS.replace_in(agenda) == [
        {
            "title": "Pitch by Former participant #7",
            "minutes": 10,
            "by Former participant #7": [True, None, "Former participant #7"],
        }
    ]
    assert "Jos\\u00e9" in Mentions(("José",), "x").searched_for(in_json=True)
