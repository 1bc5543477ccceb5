"""HR's Hack figures: requests, acceptance, time to answer and the expertise asked for, counted
in SQL, the chart with a table of the same numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from intrapreneur.identity.models import Person, Role
from intrapreneur.learning.hacks import queries, services
from tests.conftest import sign_in_as
from tests.hacks.builders import berlin, give_profile, next_monday, tag, world


def test_figures_count_requests_acceptance_answer_time_and_demand(
    client: FlaskClient,
    make_person: Callable[..., Person],
    make_guest: Callable[..., Person],
    count_queries: Callable[[], object],
) -> None:
    w = world(make_person, make_guest)
    sales = tag("Sales")
    tag("Unasked")
    give_profile(w.entrepreneur, [w.pricing, sales])
    asked = datetime.now(UTC) - timedelta(hours=10)
    challenge = services.Challenge(hot_seat=w.hot_seat)
    hacks = [
        services.request_hack(
            w.employee,
            w.entrepreneur,
            challenge,
            starts=[berlin(next_monday(), 9)],
            message="",
            tag_id=tag_id,
            now=asked,
        )
        for tag_id in (w.pricing.id, w.pricing.id, sales.id, None)
    ]
    services.accept(
        hacks[0], hacks[0].proposed[0].id, by=w.entrepreneur, now=asked + timedelta(hours=2)
    )
    services.decline(hacks[1], "", by=w.entrepreneur, now=asked + timedelta(hours=4))
    services.accept(
        hacks[2], hacks[2].proposed[0].id, by=w.entrepreneur, now=asked + timedelta(hours=6)
    )

    figures = queries.figures()
    assert (figures.requests, figures.accepted, figures.declined, figures.waiting) == (4, 2, 1, 1)
    assert figures.acceptance_rate == 66.7
    assert figures.hours_to_answer == 4.0
    demand = {row.name: (row.requests, row.accepted) for row in queries.tag_demand()}
    assert demand == {"Pricing": (2, 1), "Sales": (1, 1), "Unasked": (0, 0)}

    sign_in_as(client, make_person(Role.HR))
    with count_queries() as counted:  # type: ignore[attr-defined]
        page = client.get("/hacks/figures").get_data(as_text=True)
    assert counted.total <= 8
    assert "66.7%" in page and "4.0 hours" in page
    figure = json.loads(
        re.search(r'id="tag-demand-figure"[^>]*>(.*?)</script>', page, re.S).group(1)
    )
    assert figure["data"][0]["x"] == ["Pricing", "Sales", "Unasked"]
    assert figure["data"][0]["y"] == [2, 1, 0]
    table = page[page.index("Requests naming each expertise") :]
    assert re.search(r"Pricing</th><td>2</td><td>1</td>", table)
    # HR reads counts, never the requests themselves.
    assert "Nobody buys the premium plan" not in page
    assert client.get(f"/hacks/{hacks[0].id}").status_code == 404
