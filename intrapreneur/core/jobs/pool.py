"""Jobs run in this process, for the one-process trial without Redis (and the test suite)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from intrapreneur.core.jobs.running import Outcome, run_job

log = logging.getLogger("intrapreneur.core.jobs")


class InProcess:
    """Runs jobs in this process, for the one-process trial without Redis.

    ``JOBS_IN_PROCESS = "thread"``: on one worker thread, so the page that started the job
    answers at once and its progress page can be served while the job runs (a job run
    synchronously after the response would hold the only server thread of a small trial).
    Retries wait on a timer, not on the worker thread. One thread: SQLite has one writer.

    ``"inline"`` (the test suite): at once, in the committing thread, retries included with
    no pause, so tests need not wait and every job runs on the test's own connection.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intrapreneur-job")
        self._idle = threading.Condition()
        self._unfinished = 0

    def submit(self, job_id: int, delay: float = 0) -> None:
        if self._app.config["JOBS_IN_PROCESS"] == "inline":
            self._run_inline(job_id)
            return
        with self._idle:
            self._unfinished += 1
        if delay:
            timer = threading.Timer(delay, self._pool.submit, (self._work, job_id))
            timer.daemon = True
            timer.start()
        else:
            self._pool.submit(self._work, job_id)

    def _run_inline(self, job_id: int) -> None:
        # Retries follow at once: a test must never sit out a back-off it did not ask for.
        while run_job(self._app, job_id).outcome is Outcome.RETRY:
            pass

    def _work(self, job_id: int) -> None:
        try:
            result = run_job(self._app, job_id)
            if result.outcome is Outcome.RETRY:
                self.submit(job_id, delay=result.retry_in)
        except Exception:
            log.exception("job %s could not be run", job_id)
        finally:
            with self._idle:
                self._unfinished -= 1
                self._idle.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job given to this process has finished (retries included);
        False if ``timeout`` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)


_in_process_lock = threading.Lock()


def in_process(app: Flask) -> InProcess:
    with _in_process_lock:
        runner = app.extensions.get("intrapreneur.jobs")
        if runner is None:
            runner = app.extensions["intrapreneur.jobs"] = InProcess(app)
        return runner


def wait_for_jobs(app: Flask, timeout: float | None = None) -> bool:
    """Wait for the jobs this process runs itself (the scheduler on stop, tests)."""
    return in_process(app).wait(timeout)
