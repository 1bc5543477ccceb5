"""A venture's lineage: the tree of experiments read back on one page."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient

from intrapreneur.experiments import queries
from intrapreneur.experiments.models import Column, Decision, Experiment, Venture
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import sign_in_as
from tests.experiments.builders import venture_for

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _experiment(
    venture: Venture, owner: Person, title: str, parent: Experiment | None = None, **values: Any
) -> Experiment:
    experiment = Experiment(
        venture_id=venture.id,
        owner_id=owner.id,
        title=title,
        parent_id=parent.id if parent else None,
        **values,
    )
    db.session.add(experiment)
    db.session.flush()
    return experiment


def _decided(decision: Decision, learning: str = "") -> dict[str, Any]:
    return {"column": Column.DECIDED, "decision": decision, "decided_at": NOW, "learning": learning}


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_tree_reads_newest_first_with_what_grew_out_of_what(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    owner = make_person()
    venture = venture_for(owner, now=NOW)
    first = _experiment(
        venture, owner, "Interviews", **_decided(Decision.PIVOT, "**Price** matters")
    )
    _experiment(venture, owner, "Landing page", first, **_decided(Decision.KILL))
    pivot = _experiment(venture, owner, "Pre-order form", first, **_decided(Decision.TEST_AGAIN))
    _experiment(venture, owner, "Pre-order form, again", pivot)
    _experiment(venture, owner, "Delivery trial")
    db.session.commit()
    sign_in_as(client, owner)

    page = client.get(f"/ventures/{venture.id}/lineage").get_data(as_text=True)

    rows = _rows(page)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("Delivery trial", "1", "—"),
        ("Interviews", "1", "—"),
        ("Pre-order form", "2", "Interviews"),
        ("Pre-order form, again", "3", "Pre-order form"),
        ("Landing page", "2", "Interviews"),
    ]
    assert rows[1][4].startswith("Pivot") and rows[4][4].startswith("Kill")
    assert "<strong>Price</strong> matters" in page
    assert "5 experiments 1 pivot 1 kill 0 persevere 1 tested again 2 not decided yet" in _text(
        page
    )
    figure = json.loads(
        re.search(r'id="lineage-chart-figure"[^>]*>(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )
    markers = {trace["name"]: trace["text"] for trace in figure["data"][1:]}
    assert markers == {
        "Pivot": ["Interviews"],
        "Kill": ["Landing page"],
        "Test again": ["Pre-order form"],
        "Not decided yet": ["Delivery trial", "Pre-order form, again"],
    }


def test_a_hundred_generations_render_in_the_same_few_queries(
    client: FlaskClient, make_person: Callable[..., Person], count_queries: Callable[[], Any]
) -> None:
    owner = make_person()
    sign_in_as(client, owner)
    counts = []
    for depth in (10, 100):
        venture = venture_for(owner, now=NOW)
        parent = None
        for generation in range(depth):
            parent = _experiment(
                venture, owner, f"Test {generation}", parent, **_decided(Decision.TEST_AGAIN)
            )
        db.session.commit()
        url = f"/ventures/{venture.id}/lineage"
        client.get(url)
        with count_queries() as counted:
            page = client.get(url).get_data(as_text=True)
        counts.append(counted.total)
        assert _rows(page)[-1][:2] == [f"Test {depth - 1}", str(depth)]
    assert counts[0] == counts[1], counts
    assert len(queries.lineage(venture.id)) == 100


def test_only_people_who_may_see_the_venture_read_its_lineage(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    boss = make_person(Role.MANAGER)
    owner = make_person(manager=boss)
    peer = make_person(Role.MANAGER)
    venture = venture_for(owner, now=NOW)
    _experiment(venture, owner, "Interviews")
    db.session.commit()
    url = f"/ventures/{venture.id}/lineage"

    sign_in_as(client, peer)
    assert client.get(url).status_code == 404
    sign_in_as(client, boss)
    assert "Interviews" in client.get(url).get_data(as_text=True)
    assert client.get(f"/ventures/{venture.id + 99}/lineage").status_code == 404


def test_a_venture_without_experiments_says_so(
    client: FlaskClient, make_person: Callable[..., Person]
) -> None:
    owner = make_person()
    venture = venture_for(owner, now=NOW)
    db.session.commit()
    sign_in_as(client, owner)
    page = client.get(f"/ventures/{venture.id}/lineage").get_data(as_text=True)
    assert "No experiments yet." in page and "plotly" not in page
