"""The index follows every write: created, edited and deleted things are found, found
anew, or no longer found, in the same transaction; erasing a person leaves none of their
name in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from intrapreneur.experiments import services
from intrapreneur.experiments.models import Stage, Visibility
from intrapreneur.experiments.services import CardFields
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.models import Action, HotSeat, Question
from intrapreneur.privacy.erasure import erase
from intrapreneur.search import queries, sources, text
from intrapreneur.search.models import SearchItem
from tests.search.world import NOW, World, build, venture_with_card


def _found(reader: Person, words: str, **filters: object) -> list[tuple[str, str]]:
    results = queries.search(
        reader,
        text.parse(words),
        queries.Filters(**filters),  # type: ignore[arg-type]
        today=date.today(),
        language="en",
        per_page=100,
    )
    return [(hit.kind.value, hit.title) for hit in results.hits]


def _items() -> set[tuple[str, int, str, str]]:
    return {
        (row.kind, row.object_id, row.title, row.body)
        for row in db.session.execute(
            select(SearchItem.kind, SearchItem.object_id, SearchItem.title, SearchItem.body)
        )
    }


def _world(make_person: Callable[..., Person], make_guest: Callable[..., Person]) -> World:
    return build(make_person, make_guest)


def test_every_kind_is_indexed_when_created(
    make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    hr, owner = world.people["hr"], world.people["owner"]
    assert sorted(_found(owner, "quokka")) == [
        ("experiment", "Card quokka"),
        ("learning", "Card quokka"),
        ("venture", "Venture quokka"),
    ]
    # A question is shown (and found) under its challenge's title.
    assert sorted(_found(hr, "pangolin")) == [
        ("challenge", "Challenge pangolin"),
        ("question", "Challenge pangolin"),
    ]
    assert _found(hr, "xylophone") == [("question", "Challenge pangolin")]
    assert _found(hr, "theremin") == [("commitment", "")]


def test_edits_are_found_at_once_and_the_old_words_no_longer(
    make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    owner, hr = world.people["owner"], world.people["hr"]
    venture = world.cards["quokka"].venture
    services.update_venture(
        venture,
        title="Venture okapi",
        problem="Nobody has heard of okapis",
        customer="zoo keepers",
        stage=venture.stage,
        visibility=Visibility.ORGANISATION,
        version=venture.version,
        by=owner,
        now=NOW,
    )
    db.session.flush()
    assert ("venture", "Venture okapi") in _found(owner, "okapi")
    assert ("venture", "Venture quokka") not in _found(owner, "quokka")

    card = services.create_experiment(
        venture, CardFields(title="Card swim", hypothesis="tapirs swim"), owner=owner, by=owner,
        now=NOW,
    )  # fmt: skip
    db.session.flush()
    assert _found(owner, "tapirs") == [("experiment", "Card swim")]
    services.update_experiment(
        card,
        CardFields(title="Card swim", hypothesis="walruses swim"),
        version=card.version,
        by=owner,
        now=NOW,
    )
    db.session.flush()
    assert _found(owner, "tapirs") == []
    assert _found(owner, "walruses") == [("experiment", "Card swim")]

    hot_seat = db.session.scalar(select(HotSeat))
    hot_seat.challenge_title = "Challenge narwhal"
    db.session.flush()
    # The question is shown under its challenge's title, which changed with it.
    assert ("challenge", "Challenge narwhal") in _found(hr, "narwhal")
    assert _found(hr, "xylophone") == [("question", "Challenge narwhal")]

    question = db.session.scalar(select(Question))
    question.text = "Why ocarina?"
    action = db.session.scalar(select(Action))
    action.learning = "the bassoon people answered"
    db.session.commit()
    assert _found(hr, "xylophone") == []
    assert _found(hr, "ocarina") == [("question", "Challenge narwhal")]
    assert _found(hr, "bassoon") == [("commitment", "")]
    assert _found(hr, "theremin") == [("commitment", "")]  # the description is still there


def test_deleted_things_are_no_longer_found(
    make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    owner, hr = world.people["owner"], world.people["hr"]
    empty = services.create_venture(
        title="Venture gecko",
        problem="geckos",
        customer="",
        stage=Stage.IDEA,
        visibility=Visibility.PRIVATE,
        by=owner,
        now=NOW,
    )  # fmt: skip
    db.session.flush()
    assert _found(owner, "gecko") == [("venture", "Venture gecko")]
    services.delete_venture(empty, by=owner)
    db.session.flush()
    assert _found(owner, "gecko") == []
    assert not any(item[2] == "Venture gecko" for item in _items())

    question = db.session.scalar(select(Question))
    db.session.delete(question)
    db.session.commit()
    assert _found(hr, "xylophone") == []
    assert not any(kind == "question" for kind, *_ in _items())


def test_an_unchanged_row_is_not_rewritten_and_a_rebuild_changes_nothing(
    make_person: Callable[..., Person], make_guest: Callable[..., Person], count_queries
) -> None:
    world = _world(make_person, make_guest)
    card = world.cards["quokka"]
    before = _items()
    with count_queries() as counted:
        card.review_requested_at = datetime.now(UTC)  # not searchable: the item stays
        db.session.flush()
    assert counted.total == 1
    sources.rebuild()
    assert _items() == before


def test_erasing_a_person_leaves_their_name_nowhere_in_the_index(
    make_person: Callable[..., Person], make_guest: Callable[..., Person]
) -> None:
    world = _world(make_person, make_guest)
    admin = make_person(Role.ADMIN)
    leaver = make_person(
        display_name="Lena Leaver",
        active=False,
        deactivated_at=datetime.now(UTC) - timedelta(days=400),
    )
    owner, hr = world.people["owner"], world.people["hr"]
    card = venture_with_card(owner, "ibis", Visibility.ORGANISATION)
    card.venture.problem = "Lena Leaver saw this first"
    hot_seat = db.session.scalar(select(HotSeat))
    hot_seat.challenge_description = "Ask Lena Leaver about pangolins"
    db.session.flush()
    assert ("venture", "Venture ibis") in _found(owner, "Leaver")
    assert ("challenge", "Challenge pangolin") in _found(hr, "Leaver")

    erase(leaver, by=admin, now=datetime.now(UTC))
    db.session.commit()

    for reader in (owner, hr):
        assert _found(reader, "Leaver") == []
        assert _found(reader, "Lena") == []
    assert not any("Leaver" in title + body for _, _, title, body in _items())
    assert ("venture", "Venture ibis") in _found(owner, "former participant")
