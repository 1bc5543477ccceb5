"""Ventures and their boards as people use them: the list, the board, moves, filters,
the CSV export, card pages, decisions, settings, and who may see what."""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intrapreneur.blueprints.ventures.board import CARDS_PER_COLUMN
from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments import permissions, queries, services
from intrapreneur.experiments.models import (
    Column,
    Experiment,
    TeamRole,
    Venture,
    VentureMember,
    VentureShare,
    Visibility,
)
from intrapreneur.experiments.services import CardFields
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, PersonKind
from tests.conftest import csrf_token, sign_in_as
from tests.experiments.builders import learning_set, venture_for
from tests.experiments.test_services import People

NOW = datetime.now(UTC)
TODAY = NOW.date()
READY = {
    "success_criterion": "We are right if three of five shops pre-order.",
    "starts_on": TODAY - timedelta(days=3),
    "ends_on": TODAY + timedelta(days=11),
}


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def column_of(page: str, column: Column) -> str:
    """The text of one board column."""
    match = re.search(rf'data-column="{column.value}">(.*?)</section>', page, re.S)
    assert match, f"the board has a {column.value} column"
    return text_of(match.group(1))


def cards_in(page: str, column: Column) -> int:
    match = re.search(rf'data-column="{column.value}">(.*?)</section>', page, re.S)
    assert match
    return len(re.findall(r'id="card-\d+"', match.group(1)))


def make_venture(
    owner: Person, visibility: Visibility = Visibility.PRIVATE, **values: Any
) -> Venture:
    return venture_for(
        owner,
        values.pop("title", "Shop pre-orders"),
        visibility=visibility,
        problem=values.pop("problem", "Shops order **too late**."),
        customer=values.pop("customer", "Independent shops"),
        now=NOW,
    )


def make_card(venture: Venture, owner: Person, title: str, **fields: Any) -> Experiment:
    return services.create_experiment(
        venture, CardFields(title=title, **fields), owner=owner, by=owner, now=NOW
    )


def put(card: Experiment, column: Column, by: Person) -> None:
    services.move(card, column, version=card.version, by=by, now=NOW)
    db.session.flush()


def running_card(venture: Venture, owner: Person) -> Experiment:
    """A card ready to run, moved to Running and committed."""
    card = make_card(venture, owner, "Pre-order page", **READY)
    put(card, Column.RUNNING, owner)
    db.session.commit()
    return card


@pytest.fixture
def owner(client: FlaskClient, make_person: Callable[..., Person]) -> Person:
    person = make_person(display_name="Olga Owner")
    sign_in_as(client, person)
    return person


@pytest.fixture
def venture(owner: Person) -> Venture:
    made = make_venture(owner)
    db.session.commit()
    return made


def board_url(venture: Venture, query: str = "") -> str:
    return f"/ventures/{venture.id}{query}"


def post_move(client: FlaskClient, card: Experiment, to: str, version: int) -> Any:
    token = csrf_token(client, f"/experiments/{card.id}")
    return client.post(
        f"/experiments/{card.id}/move",
        data={"csrf_token": token, "column": to, "version": version},
        follow_redirects=True,
    )


def column_now(card_id: int) -> Column:
    db.session.expire_all()
    return db.session.get(Experiment, card_id).column


# -- the board -------------------------------------------------------------------------------


def test_the_board_shows_each_card_in_its_column_with_its_marks_in_words(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    make_card(venture, owner, "Interview five shops")
    running = make_card(venture, owner, "Pre-order page", **READY)
    put(running, Column.RUNNING, owner)  # newly Running: awaits review
    late = make_card(
        venture,
        owner,
        "Paper prototype",
        success_criterion="Four of five understand it.",
        starts_on=TODAY - timedelta(days=20),
        ends_on=TODAY - timedelta(days=2),
        cost_requested=Decimal("150.00"),
    )
    put(late, Column.DESIGNING, owner)
    db.session.commit()

    page = client.get(board_url(venture)).get_data(as_text=True)

    assert "Interview five shops" in column_of(page, Column.BACKLOG)
    running_text = column_of(page, Column.RUNNING)
    assert "Pre-order page" in running_text and "Awaiting review" in running_text
    assert "Overdue" not in running_text
    designing = column_of(page, Column.DESIGNING)
    assert "Paper prototype" in designing and "Overdue" in designing
    assert "asks for 150.00 and 0 person-days" in designing
    assert "Desirability" in designing and "what people say (weakest)" in designing
    assert "No cards" in column_of(page, Column.DECIDED)
    overdue = text_of(page.split('id="overdue-heading"')[1])
    assert "Paper prototype" in overdue and "Pre-order page" not in overdue
    assert "0 pivots" in text_of(page) and "0 kills" in text_of(page)
    assert "<strong>too late</strong>" in page  # the problem, rendered from Markdown


def test_a_long_column_shows_a_page_of_cards_and_pages_through_the_rest(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    for n in range(CARDS_PER_COLUMN + 10):
        make_card(venture, owner, f"Idea {n:03}")
    put(make_card(venture, owner, "Being designed"), Column.DESIGNING, owner)
    db.session.commit()

    page = client.get(board_url(venture)).get_data(as_text=True)

    backlog = column_of(page, Column.BACKLOG)
    assert backlog.strip().startswith(f"Backlog ({CARDS_PER_COLUMN + 10})")
    assert (
        cards_in(page, Column.BACKLOG) == CARDS_PER_COLUMN
        and f"Idea {CARDS_PER_COLUMN - 1:03}" in backlog
    )
    assert f"Show all {CARDS_PER_COLUMN + 10} in Backlog" in backlog
    assert "Being designed" in column_of(page, Column.DESIGNING)
    second = client.get(board_url(venture, "?column=backlog&page=2")).get_data(as_text=True)
    assert cards_in(second, Column.BACKLOG) == 10
    assert f"Idea {CARDS_PER_COLUMN + 9:03}" in second and "Page 2 of 2" in second


def test_a_legal_move_moves_and_an_illegal_one_is_refused_with_the_reason(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    card = make_card(venture, owner, "Interview five shops")
    db.session.commit()

    moved = post_move(client, card, "designing", card.version)
    assert "is now in Designing" in text_of(moved.get_data(as_text=True))
    assert column_now(card.id) is Column.DESIGNING

    refused = post_move(client, card, "running", column_version(card.id))
    page = text_of(refused.get_data(as_text=True))
    assert "A running experiment needs a success criterion" in page
    assert column_now(card.id) is Column.DESIGNING
    assert "Interview five shops" in column_of(refused.get_data(as_text=True), Column.DESIGNING)

    to_decided = post_move(client, card, "decided", column_version(card.id))
    assert "A card is decided after it has run" in text_of(to_decided.get_data(as_text=True))
    assert column_now(card.id) is Column.DESIGNING


def move_choices(page: str, card: Experiment) -> list[str]:
    """The labels of a card's Move list on the board."""
    select = re.search(rf'<select id="move-{card.id}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"card {card.id} has a Move list"
    return [html.unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))]


def test_the_move_list_offers_decided_where_a_card_can_be_decided_and_says_where(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    waiting = make_card(venture, owner, "Interview five shops")
    running = make_card(venture, owner, "Pre-order page", **READY)
    put(running, Column.RUNNING, owner)
    analysed = make_card(venture, owner, "Price test", **READY)
    put(analysed, Column.RUNNING, owner)
    put(analysed, Column.ANALYSING, owner)
    db.session.commit()

    page = client.get(board_url(venture)).get_data(as_text=True)

    columns = ["Backlog", "Designing", "Running", "Analysing"]
    decided = "Decided: record the decision on the card's page"
    assert move_choices(page, running) == move_choices(page, analysed) == [*columns, decided]
    assert move_choices(page, waiting) == columns  # not run yet: nothing to decide
    assert "A card reaches Decided on its own page" in text_of(page)


def test_choosing_decided_leads_to_the_cards_decision_form_without_moving_it(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    card = running_card(venture, owner)
    moves = select(func.count()).where(AuditEvent.action == "experiment.moved")
    moves_before = db.session.scalar(moves)

    chosen = client.post(
        f"/experiments/{card.id}/move",
        data={
            "csrf_token": csrf_token(client, board_url(venture)),
            "column": "decided",
            "version": card.version,
        },
    )

    assert chosen.status_code == 302
    assert chosen.headers["Location"] == f"/experiments/{card.id}#decide-heading"
    page = client.get(chosen.headers["Location"]).get_data(as_text=True)
    assert "Record what the experiment showed and your decision" in text_of(page)
    assert 'id="decide-heading"' in page and "Record and decide" in page
    assert column_now(card.id) is Column.RUNNING
    assert db.session.scalar(moves) == moves_before


def test_a_move_comes_back_to_the_moved_card_on_the_board_it_was_made_from(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    card = make_card(venture, owner, "Interview five shops")
    db.session.commit()
    back = f"/ventures/{venture.id}?owner={owner.id}"
    moved = client.post(
        f"/experiments/{card.id}/move",
        data={
            "csrf_token": csrf_token(client, back),
            "column": "designing",
            "version": card.version,
            "back": back,
        },
    )
    assert moved.status_code == 302
    assert moved.headers["Location"] == f"{back}#card-{card.id}"


def column_version(card_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Experiment, card_id).version


def test_the_second_of_two_people_moving_one_card_is_told_to_reload(
    client: FlaskClient, owner: Person, venture: Venture, make_person: Callable[..., Person]
) -> None:
    colleague = make_person(display_name="Colin Colleague")
    db.session.add(
        VentureMember(venture_id=venture.id, person_id=colleague.id, role=TeamRole.MEMBER)
    )
    card = make_card(venture, owner, "Interview five shops")
    db.session.commit()
    seen_version = card.version  # both opened the board showing this copy

    first = post_move(client, card, "designing", seen_version)
    assert "is now in Designing" in text_of(first.get_data(as_text=True))

    sign_in_as(client, colleague)
    second = post_move(client, card, "backlog", seen_version)
    assert "Reload the board" in text_of(second.get_data(as_text=True))
    assert column_now(card.id) is Column.DESIGNING


def test_filters_stay_in_the_url_and_the_export_honours_them(
    client: FlaskClient, owner: Person, venture: Venture, make_person: Callable[..., Person]
) -> None:
    member = make_person(display_name="Mia Member")
    db.session.add(VentureMember(venture_id=venture.id, person_id=member.id, role=TeamRole.MEMBER))
    mine = make_card(venture, owner, "Olga's interview")
    theirs = make_card(venture, member, "Mia's landing page", **READY)
    put(theirs, Column.RUNNING, owner)
    make_card(venture, member, "Mia's pricing test", assumption="viability")
    db.session.commit()

    def board(query: str) -> str:
        return text_of(client.get(board_url(venture, query)).get_data(as_text=True))

    by_owner = board(f"?owner={member.id}")
    assert "Mia's landing page" in by_owner and "Olga's interview" not in by_owner
    running = board("?column=running")
    assert "Mia's landing page" in running and "Mia's pricing test" not in running
    viability = board("?assumption=viability")
    assert "Mia's pricing test" in viability and "Olga's interview" not in viability
    awaiting = board("?awaiting=1&overdue=")
    assert "Mia's landing page" in awaiting and mine.title not in awaiting
    page = client.get(board_url(venture, "?column=running")).get_data(as_text=True)
    assert f'href="/ventures/{venture.id}/export.csv?column=running"' in page

    export = client.get(f"/ventures/{venture.id}/export.csv?owner={member.id}&column=backlog")
    rows = exported_rows(export)
    assert [row[1] for row in rows[1:]] == ["Mia's pricing test"]

    for bad in ("?column=shipped", "?owner=nobody", f"?owner={owner.id + 999}"):
        refused = client.get(board_url(venture, bad))
        assert refused.status_code == 400
        assert "This board has no such filter" in text_of(refused.get_data(as_text=True))


def exported_rows(response: Any) -> list[list[str]]:
    """The rows of a CSV export, which starts with a UTF-8 byte-order mark."""
    assert response.is_streamed
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8), "Excel on Windows needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_csv_export_is_utf8_with_a_byte_order_mark_for_excel(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    make_card(venture, owner, "Zürich café", hypothesis="Crème brûlée sells at 7 €")
    db.session.commit()

    response = client.get(f"/ventures/{venture.id}/export.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    header, card = exported_rows(response)
    assert header[0] == "id" and card[1] == "Zürich café"
    assert card[header.index("hypothesis")] == "Crème brûlée sells at 7 €"
    assert response.get_data().count(codecs.BOM_UTF8) == 1  # at the start only


def test_the_csv_export_neutralises_formulas_and_is_audited(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    make_card(
        venture,
        owner,
        "=1+1",
        hypothesis="+SUM(A1)",
        test="-2+3",
        metric="@cmd",
        success_criterion="\tinjected",
    )
    db.session.commit()

    response = client.get(f"/ventures/{venture.id}/export.csv?assumption=desirability")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = exported_rows(response)
    assert rows[0][:4] == ["id", "title", "column", "owner"]
    card = dict(zip(rows[0], rows[1], strict=True))
    assert card["title"] == "'=1+1"
    assert card["hypothesis"] == "'+SUM(A1)"
    assert card["test"] == "'-2+3"
    assert card["metric"] == "'@cmd"
    assert card["success criterion"] == "'\tinjected"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "venture.exported"))
    assert event is not None and event.actor_id == owner.id
    assert event.object_id == str(venture.id)
    assert event.details["filters"] == {"assumption": "desirability"}


def test_markdown_never_lets_script_or_event_handlers_through(
    client: FlaskClient, owner: Person
) -> None:
    venture = make_venture(
        owner,
        problem="<script>alert('problem')</script> and [x](javascript:alert(1))",
        customer='<img src=x onerror="alert(1)">',
    )
    card = make_card(venture, owner, "XSS", hypothesis="<script>alert('card')</script>")
    db.session.commit()

    for url in (board_url(venture), f"/experiments/{card.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert not re.search(r"<[^>]+\son\w+=", page)  # typed tags stay text, never tags
        assert 'href="javascript:' not in page
        assert "&lt;script&gt;alert" in page


def post_card(client: FlaskClient, venture: Venture, owner: Person, **fields: str) -> Any:
    url = f"/ventures/{venture.id}/experiments/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "assumption": "desirability",
        "evidence": "say",
        "cost_requested": "0",
        "days_requested": "0",
        "owner_id": str(owner.id),
        **fields,
    }
    return client.post(url, data=data, follow_redirects=True)


def test_long_fields_are_refused_with_a_message_and_nothing_is_saved(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    response = post_card(
        client, venture, owner, title="T" * 201, hypothesis="h" * 5001, cost_requested="-5"
    )

    assert response.status_code == 422
    page = text_of(response.get_data(as_text=True))
    assert "A title has at most 200 characters." in page
    assert "This is limited to 5000 characters" in page
    assert "Between 0 and" in page
    assert not queries.has_experiments(venture.id)


def test_a_new_card_is_added_to_the_backlog(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    response = post_card(
        client,
        venture,
        owner,
        title="Smoke test page",
        hypothesis="We believe that shops want reminders.",
        evidence="do",
        days_requested="1.5",
    )
    assert "Smoke test page" in column_of(response.get_data(as_text=True), Column.BACKLOG)
    card = db.session.scalar(select(Experiment).where(Experiment.venture_id == venture.id))
    assert card.days_requested == Decimal("1.5") and card.review_requested_at is not None


def test_deciding_a_pivot_leads_to_the_follow_up_card(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    card = running_card(venture, owner)
    url = f"/experiments/{card.id}"

    empty = client.post(
        f"{url}/decide",
        data={"csrf_token": csrf_token(client, url), "version": card.version, "decision": "kill"},
    )
    assert empty.status_code == 409
    assert "The learning card needs what was observed" in text_of(empty.get_data(as_text=True))

    response = client.post(
        f"{url}/decide",
        data={
            "csrf_token": csrf_token(client, url),
            "version": column_version(card.id),
            "observation": "Two of five pre-ordered.",
            "learning": "Price matters more than timing.",
            "evidence_data": "5 visits, 2 orders",
            "decision": "pivot",
        },
    )
    child = db.session.scalar(select(Experiment).where(Experiment.parent_id == card.id))
    assert child is not None and response.location == f"/experiments/{child.id}"
    page = text_of(client.get(response.location).get_data(as_text=True))
    assert "Decided: pivot. Here is the follow-up card" in page
    assert "Grew out of Pre-order page (pivot)" in page
    parent_page = text_of(client.get(url).get_data(as_text=True))
    assert "Price matters more than timing." in parent_page
    assert "decided" in parent_page and "moved" in parent_page  # its history


def test_the_activity_page_lists_the_board_and_its_cards_events(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    card = make_card(venture, owner, "Interview five shops")
    put(card, Column.DESIGNING, owner)
    other = make_venture(owner, title="Another venture")
    make_card(other, owner, "Elsewhere")
    db.session.commit()

    page = text_of(client.get(f"/ventures/{venture.id}/activity").get_data(as_text=True))

    assert "Interview five shops" in page and "moved" in page and "created" in page
    assert "Elsewhere" not in page


# -- settings -------------------------------------------------------------------------------


def settings_post(client: FlaskClient, venture: Venture, action: str, **data: Any) -> Any:
    url = f"/ventures/{venture.id}/settings"
    return client.post(
        f"/ventures/{venture.id}/{action}",
        data={"csrf_token": csrf_token(client, url), **data},
        follow_redirects=True,
    )


def test_a_venture_with_experiments_is_not_deleted_and_archiving_makes_it_read_only(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    card = make_card(venture, owner, "Interview five shops")
    db.session.commit()

    refused = settings_post(client, venture, "delete")
    assert "archive it instead" in text_of(refused.get_data(as_text=True))
    assert db.session.get(Venture, venture.id) is not None

    archived = settings_post(client, venture, "archive")
    assert "Archived: read-only" in text_of(archived.get_data(as_text=True))
    assert "data-move" not in archived.get_data(as_text=True)
    move = client.post(
        f"/experiments/{card.id}/move",
        data={"csrf_token": csrf_token(client, f"/experiments/{card.id}"), "column": "designing"},
    )
    assert move.status_code == 403
    assert client.get(f"/experiments/{card.id}/edit").status_code == 403
    details = client.post(
        f"/ventures/{venture.id}/settings",
        data={
            "csrf_token": csrf_token(client, f"/ventures/{venture.id}/settings"),
            "version": db.session.get(Venture, venture.id).version,
            "title": "Renamed",
            "stage": "idea",
            "visibility": "private",
        },
    )
    assert details.status_code == 409 and "read-only" in details.get_data(as_text=True)


def test_an_empty_venture_is_deleted(client: FlaskClient, owner: Person, venture: Venture) -> None:
    response = settings_post(client, venture, "delete")
    assert "Shop pre-orders is deleted." in text_of(response.get_data(as_text=True))
    assert db.session.scalar(select(Venture.id).where(Venture.id == venture.id)) is None


def test_owners_manage_the_team_but_never_remove_the_last_owner(
    client: FlaskClient, owner: Person, venture: Venture, make_person: Callable[..., Person]
) -> None:
    guest = make_person(kind=PersonKind.GUEST, display_name="Gia Guest", email="gia@example.org")
    db.session.commit()

    added = settings_post(client, venture, "team", email="GIA@example.org", role="member")
    assert "Gia Guest is member of Shop pre-orders." in text_of(added.get_data(as_text=True))
    assert queries.team_role(venture.id, guest.id) is TeamRole.MEMBER
    unknown = settings_post(client, venture, "team", email="nobody@example.org", role="member")
    assert "Nobody with an active account" in text_of(unknown.get_data(as_text=True))

    own = queries.membership(venture.id, owner.id)
    refused = settings_post(client, venture, f"team/{own.id}/remove")
    assert "Olga Owner is the only owner" in text_of(refused.get_data(as_text=True))
    assert queries.team_role(venture.id, owner.id) is TeamRole.OWNER
    gone = settings_post(
        client, venture, f"team/{queries.membership(venture.id, guest.id).id}/remove"
    )
    assert "Gia Guest has left the team." in text_of(gone.get_data(as_text=True))


def test_owners_share_into_their_own_sets_only(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    mine, other = learning_set(owner, name="Mine"), learning_set(name="Not mine")
    db.session.commit()

    page = client.get(f"/ventures/{venture.id}/settings").get_data(as_text=True)
    assert "Mine (Spring)" in page and "Not mine" not in page
    settings_post(client, venture, "shares", set_ids=[str(mine.id)])
    assert queries.shared_set_ids(venture.id) == [mine.id]
    refused = settings_post(client, venture, "shares", set_ids=[str(other.id)])
    assert refused.status_code == 400
    settings_post(client, venture, "shares")
    assert queries.shared_set_ids(venture.id) == []


# -- who sees what ----------------------------------------------------------------------------


class Viewers(People):
    """Everyone around a venture owned by Olga (who reports to Middle, who reports to Boss),
    and a guest who shares a set with the set mate."""

    def __init__(self, make_person: Callable[..., Person], owner: Person) -> None:
        super().__init__(make_person, owner)
        self.set_guest = make_person(kind=PersonKind.GUEST, display_name="Guest in the set")
        db.session.flush()


SEES = {
    Visibility.PRIVATE: {"boss", "middle"},
    Visibility.SETS: {"boss", "middle", "set_guest", "set_mate"},
    Visibility.ORGANISATION: {
        "boss", "middle", "peer_manager", "colleague", "set_guest", "set_mate"
    },
}  # fmt: skip


@pytest.mark.parametrize("visibility", list(Visibility))
def test_who_sees_a_board_follows_its_visibility_and_the_list_agrees(
    visibility: Visibility,
    client: FlaskClient,
    owner: Person,
    make_person: Callable[..., Person],
) -> None:
    viewers = Viewers(make_person, owner)
    venture = make_venture(owner, visibility, title="Seen or not")
    shared_set = learning_set(viewers.set_guest, viewers.set_mate, name="Shared")
    db.session.add(VentureShare(venture_id=venture.id, set_id=shared_set.id))
    others = [make_venture(owner, v, title=f"Other {v.value}") for v in Visibility]
    db.session.commit()

    for name, person in vars(viewers).items():
        sign_in_as(client, person)
        expected = 200 if name in SEES[visibility] else 404
        assert client.get(board_url(venture)).status_code == expected, name
        listed = {row.Venture.id for row in db.session.execute(queries.ventures_for(person, TODAY))}
        allowed = {
            v.id for v in (venture, *others) if permissions.can_view_venture(person, v, TODAY)
        }
        assert listed == allowed, name
        assert (venture.id in listed) == (name in SEES[visibility]), name


def test_the_list_shows_the_own_team_first_with_counts(
    client: FlaskClient, owner: Person, make_person: Callable[..., Person]
) -> None:
    someone = make_person(display_name="Sam Someone")
    theirs = make_venture(someone, Visibility.ORGANISATION, title="Aardvark express")
    ours = make_venture(owner, title="Zebra crossing")
    killed = make_card(ours, owner, "Killed", **READY)
    put(killed, Column.RUNNING, owner)
    services.decide(
        killed,
        services.LearningCard("seen", "learned", "data", services.Decision.KILL),
        version=killed.version,
        by=owner,
        now=NOW,
    )
    make_card(ours, owner, "Waiting")
    db.session.commit()

    page = client.get("/ventures/").get_data(as_text=True)

    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    assert "Zebra crossing" in rows[0] and "Aardvark express" in rows[1]
    cells = [text_of(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", rows[0], re.S)]
    assert cells[1:] == ["Problem", "the team", "Olga Owner", "1", "0", "0", "0", "1", "0", "1"]
    assert theirs.id != ours.id


def test_the_board_needs_the_same_number_of_queries_for_many_cards(
    client: FlaskClient,
    owner: Person,
    venture: Venture,
    make_person: Callable[..., Person],
    count_queries: Callable[[], Any],
) -> None:
    def add_cards(count: int) -> None:
        for n in range(count):
            someone = make_person()
            db.session.add(
                VentureMember(venture_id=venture.id, person_id=someone.id, role=TeamRole.MEMBER)
            )
            make_card(venture, someone, f"Card {n}", **READY)
        db.session.commit()

    def statements() -> int:
        with count_queries() as counted:
            assert client.get(board_url(venture)).status_code == 200
        return counted.total

    add_cards(3)
    few = statements()
    add_cards(30)
    assert statements() == few
    assert db.session.scalar(select(func.count(Experiment.id))) == 33


def test_editing_a_card_hands_it_over_and_refuses_an_old_copy(
    client: FlaskClient, owner: Person, venture: Venture, make_person: Callable[..., Person]
) -> None:
    member = make_person(display_name="Mia Member")
    db.session.add(VentureMember(venture_id=venture.id, person_id=member.id, role=TeamRole.MEMBER))
    card = make_card(venture, owner, "Interview five shops")
    db.session.commit()
    url = f"/experiments/{card.id}/edit"
    fields = {
        "title": "Interview ten shops",
        "assumption": "feasibility",
        "evidence": "do",
        "cost_requested": "0",
        "days_requested": "2",
        "owner_id": str(member.id),
    }

    saved = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "version": card.version, **fields},
        follow_redirects=True,
    )
    assert "Card saved." in text_of(saved.get_data(as_text=True))
    db.session.expire_all()
    edited = db.session.get(Experiment, card.id)
    assert (edited.title, edited.owner_id) == ("Interview ten shops", member.id)

    stale = client.post(
        url, data={"csrf_token": csrf_token(client, url), "version": card.version - 1, **fields}
    )
    assert stale.status_code == 409
    assert "Someone else changed this card" in text_of(stale.get_data(as_text=True))


@pytest.mark.parametrize("amount", ["sNaN", "NaN", "Infinity", "-Infinity"])
def test_an_amount_that_is_no_number_is_refused_with_a_message(
    client: FlaskClient, owner: Person, venture: Venture, amount: str
) -> None:
    """Found by the form fuzzer: a signalling NaN broke the range check itself (a 500)."""
    for field in ("cost_requested", "days_requested"):
        response = post_card(client, venture, owner, title="Pricing test", **{field: amount})

        assert response.status_code == 422
        assert "Not a valid decimal value." in text_of(response.get_data(as_text=True))
    assert not queries.has_experiments(venture.id)


def test_a_card_dated_out_of_reach_is_refused_with_a_message(
    client: FlaskClient, owner: Person, venture: Venture
) -> None:
    response = post_card(client, venture, owner, title="Pilot", ends_on="9999-12-31")

    assert response.status_code == 422
    assert "Enter a date from 1970 to 2099." in text_of(response.get_data(as_text=True))
    assert not queries.has_experiments(venture.id)
