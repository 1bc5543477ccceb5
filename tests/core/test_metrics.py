"""/metrics: Prometheus text, off by default, opened by a token or an address range."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from intrapreneur import create_app
from intrapreneur.core import mail, metrics
from intrapreneur.core.jobs import heartbeats
from intrapreneur.core.mail_models import EmailKind, EmailStatus, OutgoingEmail
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from intrapreneur.settings import ConfigError, load
from tests.conftest import GUEST_PASSWORD, environment_for, run_app_script

TOKEN = "metrics-token-for-the-tests-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}


def sample(text: str, name: str, **labels: str) -> float:
    """The value of the series ``name{labels}`` in Prometheus text (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


@pytest.fixture
def scrape(client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)

    def read() -> str:
        response = client.get("/metrics", headers=AUTHORIZED)
        assert response.status_code == 200
        assert response.content_type.startswith("text/plain; version=")
        return response.get_data(as_text=True)

    return read


def test_metrics_are_off_until_a_token_or_network_is_set(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTHORIZED).status_code == 404


def test_the_token_must_match(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"})
    assert wrong.status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert client.get("/metrics", headers=AUTHORIZED).status_code == 200


def test_the_address_must_be_in_an_allowed_range(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32"))
    monkeypatch.setitem(app.config, "METRICS_ALLOW", allowed)
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    for inside in ("10.20.30.40", "2001:db8::7", "::ffff:10.0.0.1"):
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": inside}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "11.0.0.1"}).status_code == 403


def test_with_a_token_and_a_range_both_must_hold(
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "METRICS_ALLOW", (ipaddress.ip_network("10.0.0.0/8"),))
    inside = {"REMOTE_ADDR": "10.0.0.9"}
    assert client.get("/metrics", environ_base=inside).status_code == 401
    assert client.get("/metrics", headers=AUTHORIZED).status_code == 403
    assert client.get("/metrics", headers=AUTHORIZED, environ_base=inside).status_code == 200


@pytest.fixture
def proxied_app(tmp_path: Path, app: Flask) -> Iterator[Callable[..., Flask]]:
    """Apps of their own; the session's app takes the shared rate limiter back afterwards."""

    def make(**variables: str) -> Flask:
        return create_app(
            environment_for(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, **variables), TESTING=True
        )

    yield make
    from intrapreneur.extensions import limiter

    limiter.init_app(app)


def test_the_range_is_checked_against_the_address_behind_trusted_proxies(
    proxied_app: Callable[..., Flask],
) -> None:
    forwarded = {"X-Forwarded-For": "10.1.2.3"}
    behind = proxied_app(INTRAPRENEUR_METRICS_ALLOW="10.0.0.0/8", INTRAPRENEUR_TRUSTED_PROXIES="1")
    assert behind.test_client().get("/metrics", headers=forwarded).status_code == 200
    assert behind.test_client().get("/metrics").status_code == 403
    # Without a trusted proxy anyone could send the header: it is ignored.
    direct = proxied_app(INTRAPRENEUR_METRICS_ALLOW="10.0.0.0/8")
    assert direct.test_client().get("/metrics", headers=forwarded).status_code == 403


def test_requests_are_counted_by_endpoint_method_and_status_class(
    client: FlaskClient, scrape: Callable[[], str]
) -> None:
    healthz = {"endpoint": "health.healthz", "method": "GET", "status": "2xx"}
    unmatched = {"endpoint": "unmatched", "method": "GET", "status": "4xx"}
    before = scrape()
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/1234567")
    client.open("/healthz", method="BREW")
    after = scrape()
    counted = "intrapreneur_http_requests_total"
    assert sample(after, counted, **healthz) - sample(before, counted, **healthz) == 2
    assert sample(after, counted, **unmatched) - sample(before, counted, **unmatched) == 1
    assert sample(after, counted, endpoint="unmatched", method="other", status="4xx") >= 1
    timed = "intrapreneur_http_request_duration_seconds_count"
    assert sample(after, timed, endpoint="health.healthz", method="GET") - sample(
        before, timed, endpoint="health.healthz", method="GET"
    ) == pytest.approx(2)
    # Raw paths and unknown methods never become labels: the series stay bounded.
    assert "1234567" not in after and "BREW" not in after


def test_sign_ins_are_counted_by_method_and_refusals_by_reason(
    client: FlaskClient,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    make_guest: Callable[..., Person],
    scrape: Callable[[], str],
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    guest = make_guest()
    before = scrape()
    client.post("/sign-in", data={"login": guest.email, "password": "not-the-password"})
    client.post("/sign-in", data={"login": "nobody@nowhere.example", "password": "whatever-1"})
    assert (
        client.post("/sign-in", data={"login": guest.email, "password": GUEST_PASSWORD}).status_code
        == 302
    )
    after = scrape()

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("intrapreneur_sign_ins_refused_total", reason="wrong_password") == 1
    assert grew("intrapreneur_sign_ins_refused_total", reason="unknown_account") == 1
    assert grew("intrapreneur_sign_ins_total", method="password") == 1


def test_queue_depth_counts_the_jobs_waiting_per_task(scrape: Callable[[], str]) -> None:
    assert sample(scrape(), "intrapreneur_job_queue_depth", queue="directory-sync") == 0
    db.session.add_all(BackgroundJob(task="directory-sync") for _ in range(2))
    db.session.add(BackgroundJob(task="retention", status=JobStatus.SUCCEEDED))
    db.session.commit()

    text = scrape()
    assert sample(text, "intrapreneur_job_queue_depth", queue="directory-sync") == 2
    assert 'queue="retention"' not in text


def test_queue_depth_comes_from_the_registered_source(
    app: Flask, scrape: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.extensions, metrics.EXTENSION, None)
    metrics.set_queue_depth_source(app, lambda: {"default": 3, "mail": 0})
    text = scrape()
    assert sample(text, "intrapreneur_job_queue_depth", queue="default") == 3
    assert 'intrapreneur_job_queue_depth{queue="mail"} 0.0' in text


def test_a_failing_queue_source_leaves_the_rest_of_the_metrics(
    app: Flask, scrape: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> dict[str, int]:
        raise ConnectionError("redis is down")

    monkeypatch.setitem(app.extensions, metrics.EXTENSION, unreachable)
    text = scrape()
    assert "intrapreneur_job_queue_depth" not in text
    assert "intrapreneur_http_requests_total" in text


def email(status: EmailStatus, due: datetime) -> OutgoingEmail:
    return OutgoingEmail(
        to_address="someone@corp.example",
        kind=EmailKind.SESSION_REMINDER,
        subject="Tomorrow",
        text_body="See you",
        html_body="<p>See you</p>",
        status=status,
        next_attempt_at=due,
    )


def test_the_outbox_and_the_jobs_are_read_at_each_scrape(
    scrape: Callable[[], str], count_queries: Callable[[], Any]
) -> None:
    """An SMTP outage shows as emails waiting long past their time, a dead worker as a
    stranded job; the figures come from the database whichever worker answers."""
    now = utcnow()
    db.session.add_all(
        [
            email(EmailStatus.PENDING, now - timedelta(minutes=10)),  # due, waiting
            email(EmailStatus.SENDING, now - timedelta(minutes=3)),  # a sender's lease ran out
            email(EmailStatus.PENDING, now + timedelta(minutes=5)),  # a retry, not due yet
            email(EmailStatus.FAILED, now - timedelta(days=1)),
            email(EmailStatus.SENT, now - timedelta(days=1)),
            BackgroundJob(task="reminders"),
            BackgroundJob(task="reminders", status=JobStatus.SUCCEEDED),
            BackgroundJob(
                task="culture-export",
                status=JobStatus.RUNNING,
                started_at=now - timedelta(minutes=5),
                heartbeat_at=now - heartbeats.SILENT_AFTER - timedelta(seconds=1),
            ),
            BackgroundJob(
                task="directory-sync",
                status=JobStatus.RUNNING,
                started_at=now - timedelta(minutes=5),
                heartbeat_at=now,
            ),
        ]
    )
    db.session.commit()

    with count_queries() as counted:
        text = scrape()

    assert {
        status: sample(text, "intrapreneur_outbox_emails", status=status)
        for status in ("pending", "sending", "sent", "failed")
    } == {"pending": 2, "sending": 1, "sent": 1, "failed": 1}
    assert 600 <= sample(text, "intrapreneur_outbox_oldest_due_seconds") < 900
    assert {
        status.value: sample(text, "intrapreneur_background_jobs", status=status.value)
        for status in JobStatus
    } == {"queued": 1, "running": 2, "succeeded": 1, "failed": 0}
    assert sample(text, "intrapreneur_background_jobs_stranded") == 1
    assert counted.total <= 5  # four aggregates and the queue depth, whatever the table sizes


def test_with_nothing_waiting_the_oldest_due_age_is_zero(scrape: Callable[[], str]) -> None:
    db.session.add(email(EmailStatus.PENDING, utcnow() + timedelta(hours=1)))
    db.session.commit()
    text = scrape()
    assert "intrapreneur_outbox_oldest_due_seconds 0.0" in text
    assert sample(text, "intrapreneur_background_jobs_stranded") == 0


def test_a_database_out_of_reach_leaves_the_other_metrics(
    scrape: Callable[[], str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(now: datetime) -> None:
        raise OperationalError("SELECT", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(mail, "oldest_due_at", unreachable)
    text = scrape()
    assert "intrapreneur_outbox" not in text and "intrapreneur_background_jobs" not in text
    assert "intrapreneur_http_requests_total" in text
    assert "outbox and job figures are unavailable: OperationalError" in caplog.text


WORKER = """
client = app.test_client()
for _ in range({requests}):
    assert client.get("/healthz").status_code == 200
if {scrape}:
    print(client.get("/metrics", headers={headers!r}).text)
"""


def test_multiprocess_mode_adds_up_every_worker(tmp_path: Path) -> None:
    """Three processes sharing PROMETHEUS_MULTIPROC_DIR, as gunicorn workers do."""
    shared = tmp_path / "prometheus"
    shared.mkdir()

    def worker(requests: int, scrape: bool = False) -> str:
        body = WORKER.format(requests=requests, scrape=scrape, headers=AUTHORIZED)
        return run_app_script(
            body,
            tmp_path,
            PROMETHEUS_MULTIPROC_DIR=str(shared),
            INTRAPRENEUR_METRICS_TOKEN=TOKEN,
        ).stdout

    worker(2)
    worker(3)
    text = worker(1, scrape=True)
    healthz = {"endpoint": "health.healthz", "method": "GET", "status": "2xx"}
    assert sample(text, "intrapreneur_http_requests_total", **healthz) == 6


@pytest.mark.parametrize(
    ("variables", "problem"),
    [
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN is too short"),
        ({"METRICS_ALLOW": "10.0.0.0/8, intranet"}, "not 'intranet'"),
        ({"METRICS_ALLOW": "10.0.0.1/8"}, "CIDR"),
    ],
)
def test_metrics_settings_refuse_bad_values(
    tmp_path: Path, variables: dict[str, str], problem: str
) -> None:
    environment = {"INTRAPRENEUR_ENV": "test"}
    environment.update({f"INTRAPRENEUR_{k}": v for k, v in variables.items()})
    with pytest.raises(ConfigError, match=problem):
        load(environment, instance_path=tmp_path)


def test_metrics_allow_reads_addresses_and_ranges(tmp_path: Path) -> None:
    loaded = load(
        {"INTRAPRENEUR_ENV": "test", "INTRAPRENEUR_METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1,::1"},
        instance_path=tmp_path,
    )
    assert [str(network) for network in loaded.metrics_allow] == [
        "10.0.0.0/8",
        "127.0.0.1/32",
        "::1/128",
    ]
