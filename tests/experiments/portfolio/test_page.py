"""The portfolio page, its PDF (read back with poppler's ``pdftotext``) and its audit, and the
attacker's view: a sponsor (or HR) who may not see a private venture never reads its title or
text on the page, in the PDF or in the digest — though its figures are counted."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intrapreneur.core import mail
from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments.portfolio.digest import queue_sponsor_digests
from intrapreneur.experiments.portfolio.pdf import render_pdf
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person, Role
from tests.conftest import SmtpServer, sign_in_as
from tests.experiments.portfolio import world

SECRETS = (world.SECRET_TITLE, world.SECRET_TEXT)


@pytest.fixture
def built(make_person: Callable[..., Person]) -> world.Built:
    return world.build(make_person)


def pdf_text(document: bytes, tmp_path: Path) -> str:
    path = tmp_path / "portfolio.pdf"
    path.write_bytes(document)
    return subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_the_page_shows_every_figure_with_its_table(
    client: FlaskClient, built: world.Built
) -> None:
    sign_in_as(client, built.people["sponsor"])
    page = client.get("/portfolio").get_data(as_text=True)

    for heading in ("Funnel", "Funding", "Decisions", "Reviews", "Ventures"):
        assert f">{heading}</h2>" in page
    # Seven charts, each as JSON data the CSP allows, each followed by its table.
    assert page.count('type="application/json"') == 7
    assert "13,100.00" in page and "8,000.00" in page  # requested, approved (released)
    assert "Ann&#39;s open venture" in page and "Bob&#39;s open venture" in page
    assert "2 ventures in these figures are counted but not listed" in page
    assert 'href="/portfolio"' in page  # in the navigation


def test_the_filters_narrow_the_page_and_bad_ones_are_refused_with_a_message(
    client: FlaskClient, built: world.Built
) -> None:
    sign_in_as(client, built.people["sponsor"])
    unit = built.units["Wholesale"].id
    page = client.get(f"/portfolio?business_unit={unit}").get_data(as_text=True)
    assert "4,000.00" in page and "Ann&#39;s open venture" not in page

    refused = client.get("/portfolio?since=2026-10-31&until=2026-10-01")
    assert refused.status_code == 400
    assert "The period must end on or after the day it starts." in refused.get_data(as_text=True)
    for nonsense in ("cohort=abc", "business_unit=999999", "since=31.13.2026", "cohort=%00"):
        answer = client.get(f"/portfolio?{nonsense}")
        assert answer.status_code == 400, nonsense
        assert client.get(f"/portfolio/export.pdf?{nonsense}").status_code == 400


def test_the_pdf_opens_with_the_headings_and_figures_and_is_audited(
    client: FlaskClient, built: world.Built, tmp_path: Path
) -> None:
    sign_in_as(client, built.people["sponsor"])
    unit = built.units["Retail"].id
    answer = client.get(f"/portfolio/export.pdf?business_unit={unit}&since=2026-09-01")

    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF-")
    text = pdf_text(answer.data, tmp_path)
    for heading in ("Portfolio", "Funnel", "Funding", "Decisions", "Reviews", "Ventures"):
        assert heading in text
    # Retail: Ann's two ventures; 1,000 + 5,000 + 2,000 + 800 requested, 4,000 approved.
    assert "8,800.00" in text and "4,000.00" in text
    assert "Business unit: Retail" in text
    assert "Ann's open" in text  # its row (the column wraps the title)

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "portfolio.exported")
    ).one()
    assert event.actor_id == built.people["sponsor"].id
    details = event.details if isinstance(event.details, dict) else json.loads(event.details)
    assert details["format"] == "pdf"
    assert details["filters"] == {
        "cohort": None,
        "business_unit": unit,
        "from": "2026-09-01",
        "to": None,
    }


def test_the_pdf_fetches_nothing_whatever_the_page_names() -> None:
    asked: list[str] = []

    class Listening(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

    server = HTTPServer(("127.0.0.1", 0), Listening)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"http://127.0.0.1:{server.server_port}"
        document = render_pdf(
            f'<link rel="stylesheet" href="{address}/style.css">'
            f'<p>Still here</p><img src="{address}/x.png">'
            f'<p style="background: url({address}/back.png)">and here</p>'
        )
    finally:
        server.shutdown()
        server.server_close()
    # The addresses are refused, not fetched, and the PDF is still made.
    assert asked == []
    assert document.startswith(b"%PDF-")


@pytest.mark.parametrize("role", [Role.SPONSOR, Role.HR])
def test_an_attacker_never_reads_a_private_venture_on_the_page_pdf_or_digest(
    client: FlaskClient,
    built: world.Built,
    make_person: Callable[..., Person],
    inbox: SmtpServer,
    tmp_path: Path,
    role: Role,
) -> None:
    attacker = make_person(role, Role.SPONSOR, display_name="Curious reader")
    sign_in_as(client, attacker)
    cohort, unit = built.cohorts["Autumn"].id, built.units["Retail"].id
    # Narrowed as far as the filters go, to the private venture's unit, cohort and days.
    for query in ("", f"?cohort={cohort}&business_unit={unit}&since=2026-09-05&until=2026-09-30"):
        page = client.get(f"/portfolio{query}").get_data(as_text=True)
        pdf = pdf_text(client.get(f"/portfolio/export.pdf{query}").data, tmp_path)
        for secret in SECRETS:
            assert secret not in page and secret not in pdf
        assert "counted but not listed" in page  # counted all the same
    assert client.get(f"/ventures/{built.ventures['v2'].id}").status_code in (403, 404)

    now = datetime(2026, 10, 1, 7, tzinfo=UTC)  # September's digest
    queue_sponsor_digests(now)
    mail.deliver_due(now)
    received = [m.message for m in inbox.received if m.message["To"] == attacker.email]
    assert len(received) == 1
    whole = received[0].as_string()
    for secret in SECRETS:
        assert secret not in whole


def test_guests_and_other_roles_do_not_see_the_navigation_entry(
    client: FlaskClient, make_person: Callable[..., Person], app: Flask
) -> None:
    for person in (make_person(), make_person(Role.MANAGER), make_person(Role.ADMIN)):
        sign_in_as(client, person)
        assert 'href="/portfolio"' not in client.get("/").get_data(as_text=True)
