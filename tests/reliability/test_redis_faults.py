"""Redis killed under a running app, and started again: a Redis of the test's own.

While it is down, pages keep working, a job asked for runs in the web process (once), the
jobs it held are not lost (requeue-stranded hands them on again), sign-in is still limited
(per process, in memory) and /readyz says Redis is down. Once it is back, jobs go to the
queue again and the sign-in counters to Redis.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import redis
from flask import Flask, current_app
from rq import Queue, SimpleWorker
from sqlalchemy import update

from intrapreneur.core import jobs
from intrapreneur.core.models import BackgroundJob, JobStatus, utcnow
from intrapreneur.core.tasks import STRANDED_AFTER
from intrapreneur.extensions import db, limiter
from intrapreneur.identity.models import Person, PersonKind, PersonRole, Role
from intrapreneur.identity.passwords import hash_password
from tests.conftest import GUEST_PASSWORD, environment_for
from tests.core.test_jobs_queue import effects, state
from tests.reliability.racing import add_people, migrated_in_context, signed_in
from tests.reliability.servers import REDIS_MISSING, REDIS_SERVER, ThrowawayRedis, throwaway_redis

DEADLINE_SECONDS = 90  # for the limiter's own back-off before it looks at Redis again


@pytest.fixture
def own_redis() -> Iterator[ThrowawayRedis]:
    if REDIS_SERVER is None:
        pytest.fail(REDIS_MISSING)
    with throwaway_redis() as server:
        yield server


@pytest.fixture
def app_on(
    own_redis: ThrowawayRedis,
    empty_database: Callable[[str], Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Flask]:
    with empty_database("redis_faults") as url:
        environment = environment_for(
            url,
            tmp_path_factory.mktemp("instance"),
            INTRAPRENEUR_REDIS_URL=own_redis.url,
            INTRAPRENEUR_JOBS_QUEUE=f"faults-{secrets.token_hex(4)}",
            INTRAPRENEUR_LOGIN_RATE_LIMIT="3 per minute",
        )
        with migrated_in_context(environment, TESTING=True, WTF_CSRF_ENABLED=False) as app:
            yield app
        # The limiter is one object for every app: leave it on memory, as the suite has it.
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        limiter.init_app(app)
        limiter._storage_dead = False


def add_guest(email: str) -> None:
    db.session.add(
        Person(
            kind=PersonKind.GUEST,
            email=email,
            display_name="Visiting Guest",
            password_hash=hash_password(GUEST_PASSWORD),
            access_ends_on=date.today() + timedelta(days=30),
            roles=[PersonRole(role=Role.GUEST)],
        )
    )


def sign_in(login: str, password: str, *, address: str, count: int = 1) -> list[int]:
    """Attempts from one address (the limits count per account and per address)."""
    client = current_app.test_client()
    form = {"login": login, "password": password}
    environ = {"REMOTE_ADDR": address}
    return [
        client.post("/sign-in", data=form, environ_base=environ).status_code for _ in range(count)
    ]


def counters_in(server: redis.Redis, login: str) -> list[bytes]:
    return server.keys(f"*{login}*")


def strand(job_id: int) -> None:
    """Age a queued job past the point where requeue-stranded counts it as lost."""
    longest_pause = timedelta(seconds=max(current_app.config["JOB_RETRY_DELAYS"]))
    long_ago = utcnow() - STRANDED_AFTER - longest_pause - timedelta(minutes=5)
    db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id).values(created_at=long_ago)
    )
    db.session.commit()


def test_redis_killed_and_started_again_under_a_running_app(
    app_on: Flask, own_redis: ThrowawayRedis
) -> None:
    (admin,) = add_people(1, "admin", Role.ADMIN)
    add_guest("guest@visitor.example")
    add_guest("other@visitor.example")
    db.session.commit()
    admin_client = signed_in(app_on, admin.get_id())
    queue = jobs.rq_queue(app_on)
    counters = redis.Redis.from_url(own_redis.url)

    # Up: jobs wait in the queue, counters live in Redis.
    held = jobs.enqueue("tests.note", marker="held-when-redis-died")
    db.session.commit()
    assert queue.count == 1 and state(held) == (JobStatus.QUEUED, 0)
    assert sign_in("guest@visitor.example", "wrong-1", address="10.0.0.1") == [401]
    assert counters_in(counters, "guest@visitor.example"), "the counter is in Redis"

    own_redis.stop()  # killed: it kept nothing on disk, so the queued job is gone with it

    assert admin_client.get("/").status_code == 200
    assert admin_client.get("/admin/jobs").status_code == 200
    during = jobs.enqueue("tests.note", marker="asked-while-down")
    db.session.commit()
    assert state(during) == (JobStatus.SUCCEEDED, 1), "run in this process instead"
    assert effects("asked-while-down") == 1
    guessing = sign_in("guest@visitor.example", "wrong-2", address="10.0.0.2", count=4)
    assert guessing == [401] * 3 + [429], "still limited, in this process's memory"
    assert sign_in("other@visitor.example", GUEST_PASSWORD, address="10.0.0.3") == [302]
    down = app_on.test_client().get("/readyz")
    assert down.status_code == 503
    assert down.json["checks"] == {"database": "ok", "redis": "unavailable: ConnectionError"}
    assert state(held) == (JobStatus.QUEUED, 0), "the lost job is still owed"

    own_redis.start()  # on the same port, empty

    assert app_on.test_client().get("/readyz").status_code == 200
    after = jobs.enqueue("tests.note", marker="after-redis-returned")
    db.session.commit()
    assert queue.count == 1 and state(after) == (JobStatus.QUEUED, 0), "to the queue again"
    strand(held)
    jobs.enqueue("requeue-stranded")
    db.session.commit()
    jobs.dispatch(app_on, during)  # handed on twice (as a slow requeue might): still once
    run_queue(queue)

    assert [effects(marker) for marker in ("held-when-redis-died", "asked-while-down")] == [1, 1]
    assert effects("after-redis-returned") == 1
    assert state(held) == (JobStatus.SUCCEEDED, 1)
    assert state(during) == (JobStatus.SUCCEEDED, 1)
    counters.flushdb()
    assert wait_for_counter_in_redis(counters), "the limiter went back to Redis"


def run_queue(queue: Queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert queue.count == 0


def wait_for_counter_in_redis(server: redis.Redis) -> bool:
    """The limiter looks at its storage again after a back-off of its own (1, 2, 4 … s)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        login = f"returning-{secrets.token_hex(3)}@visitor.example"
        sign_in(login, "wrong", address="10.0.0.4")
        if counters_in(server, login):
            return True
        time.sleep(0.5)
    return False
