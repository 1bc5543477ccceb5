"""Prometheus metrics: requests and latency by endpoint, sign-ins, job queue depth, and
what waits in the database (the email outbox, background jobs by status, stranded jobs).

Labels are Flask endpoint names, never raw paths, so the number of series stays
bounded whatever URLs people (or scanners) try.

Several gunicorn workers each count on their own; with ``PROMETHEUS_MULTIPROC_DIR``
set (before the process starts: prometheus-client reads it on import) the workers
write their numbers to files in that directory and ``/metrics`` adds them up.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError

from intrapreneur.core import mail, queries
from intrapreneur.core.models import utcnow
from intrapreneur.extensions import db

log = logging.getLogger(__name__)

# The Helm chart points every pod (web, worker, scheduled jobs) at a folder in its /tmp
# emptyDir; a labelled metric opens its file there on first use, so the folder must exist.
if _multiprocess_directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_multiprocess_directory, exist_ok=True)

QueueDepths = Callable[[], Mapping[str, int]]
EXTENSION = "intrapreneur.queue_depths"
KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))

REQUESTS = Counter(
    "intrapreneur_http_requests_total",
    "HTTP requests answered, by Flask endpoint, method and status class.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "intrapreneur_http_request_duration_seconds",
    "Time from the request reaching the app to its answer, by Flask endpoint and method.",
    ["endpoint", "method"],
)
SIGN_INS = Counter(
    "intrapreneur_sign_ins_total",
    "Successful sign-ins, by how the person was checked (directory, password, development).",
    ["method"],
)
REFUSED_SIGN_INS = Counter(
    "intrapreneur_sign_ins_refused_total",
    "Refused sign-ins, by reason (wrong_password, unknown_account, directory_unavailable …).",
    ["reason"],
)


def count_sign_in(method: str) -> None:
    SIGN_INS.labels(method=method).inc()


def count_refused_sign_in(reason: str) -> None:
    REFUSED_SIGN_INS.labels(reason=reason).inc()


def set_queue_depth_source(app: Flask, source: QueueDepths) -> None:
    """Let ``/metrics`` report ``intrapreneur_job_queue_depth{queue=…}`` from ``source``.

    ``source`` is called at each scrape and returns waiting jobs per queue name, for
    instance ``lambda: {queue.name: queue.count for queue in queues}``. Until a job
    queue registers one, the gauge is simply absent.
    """
    app.extensions[EXTENSION] = source


class _QueueDepthCollector:
    """Asks the registered source at scrape time: the queue is shared, so any worker may."""

    def __init__(self, source: QueueDepths) -> None:
        self.source = source

    def collect(self) -> list[GaugeMetricFamily]:
        try:
            depths = self.source()
        except Exception as error:
            log.warning("job queue depth is unavailable: %s", type(error).__name__)
            return []
        gauge = GaugeMetricFamily(
            "intrapreneur_job_queue_depth", "Jobs waiting in each queue.", labels=["queue"]
        )
        for queue, depth in sorted(depths.items()):
            gauge.add_metric([queue], depth)
        return [gauge]


class _BacklogCollector:
    """What waits in the database, read at scrape time (any worker may answer: the database
    is shared). An SMTP outage shows as a growing oldest-due age, a dead worker as a
    stranded job; four small aggregate queries."""

    def collect(self) -> list[GaugeMetricFamily]:
        try:
            return _backlog(utcnow())
        except SQLAlchemyError as error:
            db.session.rollback()
            log.warning("outbox and job figures are unavailable: %s", type(error).__name__)
            return []


def _backlog(now: datetime) -> list[GaugeMetricFamily]:
    emails = GaugeMetricFamily(
        "intrapreneur_outbox_emails", "Emails in the outbox, by status.", labels=["status"]
    )
    for status, count in mail.counts().items():
        emails.add_metric([status.value], count)
    oldest = mail.oldest_due_at(now)
    waiting = GaugeMetricFamily(
        "intrapreneur_outbox_oldest_due_seconds",
        "How long the longest-waiting due email has waited to be sent (0: none waits).",
        value=(now - oldest).total_seconds() if oldest else 0,
    )
    jobs = GaugeMetricFamily(
        "intrapreneur_background_jobs", "Background jobs, by status.", labels=["status"]
    )
    for status, count in queries.jobs_by_status().items():
        jobs.add_metric([status.value], count)
    stranded = GaugeMetricFamily(
        "intrapreneur_background_jobs_stranded",
        "Running jobs whose process died (heartbeat silent, or past the job timeout), "
        "not yet claimed again by requeue-stranded.",
        value=queries.stranded_job_count(now),
    )
    return [emails, waiting, jobs, stranded]


def init_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_count_request)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    if "metrics_started" not in g:
        return response
    endpoint = request.endpoint or "unmatched"
    method = request.method if request.method in KNOWN_METHODS else "other"
    REQUESTS.labels(endpoint, method, f"{response.status_code // 100}xx").inc()
    LATENCY.labels(endpoint, method).observe(time.perf_counter() - g.metrics_started)
    return response


def exposition() -> Response:
    """The metrics of every worker (multiprocess mode) or of this process, as Prometheus text."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    read_now = CollectorRegistry()
    read_now.register(_BacklogCollector())
    source = current_app.extensions.get(EXTENSION)
    if source is not None:
        read_now.register(_QueueDepthCollector(source))
    body += generate_latest(read_now)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def access_problem() -> int | None:
    """None when this request may read the metrics, else the status to answer with.

    Off (404) unless a token or a network list is configured; with both, both must hold.
    """
    token = current_app.config.get("METRICS_TOKEN")
    networks = current_app.config.get("METRICS_ALLOW") or ()
    if not token and not networks:
        return 404
    if token and not hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
    ):
        return 401
    if networks and not _address_in(request.remote_addr, networks):
        return 403
    return None


def _address_in(address: str | None, networks: tuple[ipaddress._BaseNetwork, ...]) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped:
        client = client.ipv4_mapped
    return any(client in network for network in networks)
