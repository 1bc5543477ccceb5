"""Expertise and Hacks: HR's vocabulary, entrepreneurs' profiles, Hack requests and sessions."""

from __future__ import annotations

from intrapreneur.privacy.registry import NOT_PERSONAL, Col, Erase, Link, Table

PROFILE_READERS = "the person; employees (the entrepreneurs' finder); HR"
THE_TWO = "the requester and the entrepreneur; HR reads counts only"
HACK_RECORD = "as long as the programme's records (HR's Hack figures read them)"

TABLES = (
    Table(
        "expertise_tag",
        purpose=NOT_PERSONAL,
        who_sees="everyone signed in",
        kept="always (a retired tag stays for the profiles and figures that name it)",
        personal=False,
        columns={
            "id": Col("a number"),
            "name": Col("the tag"),
            "retired_at": Col("when HR stopped offering it"),
            "created_at": Col("when"),
        },
    ),
    Table(
        "expertise_profile",
        purpose="What a guest entrepreneur or facilitator tells employees about themself, "
        "so that employees can find them and ask for a Hack.",
        who_sees=PROFILE_READERS,
        kept="until the person deletes it or is erased",
        links=(Link("person_id", "about"),),
        delete_rows_on_erasure=True,
        columns={
            "person_id": Col("the person"),
            "bio": Col("their short bio (deleted with the row on erasure)"),
            "updated_at": Col("last change"),
        },
    ),
    Table(
        "profile_expertise",
        purpose="The expertise tags on a profile.",
        who_sees=PROFILE_READERS,
        kept="until the person changes them or is erased",
        links=(Link("person_id", "about"),),
        delete_rows_on_erasure=True,
        columns={
            "person_id": Col("the person"),
            "tag_id": Col("the tag"),
        },
    ),
    Table(
        "availability_window",
        purpose="When an entrepreneur takes Hacks: weekly windows in their own time zone.",
        who_sees=PROFILE_READERS,
        kept="until the person changes them or is erased",
        links=(Link("person_id", "about"),),
        delete_rows_on_erasure=True,
        columns={
            "id": Col("a number"),
            "person_id": Col("the person"),
            "weekday": Col("day of the week"),
            "start_minute": Col("opens (minutes after midnight)"),
            "end_minute": Col("closes (minutes after midnight)"),
        },
    ),
    Table(
        "hack_request",
        purpose="An employee's request for a Hack with an entrepreneur on one challenge or card, "
        "the answer and, once accepted, the Hack session: the two people's record and HR's "
        "counts (requests, acceptance, time to answer, expertise asked for).",
        who_sees=THE_TWO,
        kept=HACK_RECORD,
        links=(Link("requester_id", "by"), Link("entrepreneur_id", "by")),
        notes="The message and the reason for declining are one exchange between the two: "
        "erasing either person treats both texts by the Hack requests' text mode.",
        columns={
            "id": Col("a number"),
            "requester_id": Col("who asked"),
            "entrepreneur_id": Col("whom they asked"),
            "hot_seat_id": Col("the challenge it is about"),
            "experiment_id": Col("the card it is about"),
            "expertise_tag_id": Col("the expertise asked for: kept for the figures"),
            "topic": Col(
                "the challenge's or card's title when asked", Erase.WRITTEN, "hack_requests"
            ),
            "message": Col("the requester's message", Erase.WRITTEN, "hack_requests"),
            "status": Col("requested, accepted or declined"),
            "answered_at": Col("when the entrepreneur answered"),
            "decline_reason": Col("the entrepreneur's reason", Erase.WRITTEN, "hack_requests"),
            "starts_at": Col("the Hack session's start"),
            "ends_at": Col("its end"),
            "agenda": Col("segments and timings"),
            "sequence": Col("calendar revision (a number)"),
            "created_at": Col("when asked"),
        },
    ),
    Table(
        "hack_proposed_time",
        purpose=NOT_PERSONAL,
        who_sees=THE_TWO,
        kept=HACK_RECORD,
        personal=False,
        columns={
            "id": Col("a number"),
            "request_id": Col("the request"),
            "starts_at": Col("a proposed start"),
            "ends_at": Col("its end"),
        },
    ),
)
