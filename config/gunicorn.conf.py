"""Gunicorn settings for Intrapreneur.

    intrapreneur serve                              # uses this file
    gunicorn --config config/gunicorn.conf.py       # the same, by hand

The ``INTRAPRENEUR_*`` variables below tune the server; the application itself reads its
own settings from the environment (see config/intrapreneur.env.example).
"""

import os


def _cpu_count() -> int:
    # sched_getaffinity honours a container's CPU set; cpu_count() sees the whole host.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _workers() -> int:
    raw = os.environ.get("INTRAPRENEUR_WEB_WORKERS", "").strip()
    if not raw:
        return min(2 * _cpu_count() + 1, 8)
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(
            "intrapreneur: INTRAPRENEUR_WEB_WORKERS must be a whole number of at least 1, "
            f"not {raw!r}"
        )
    return int(raw)


wsgi_app = "intrapreneur.wsgi:app"
bind = os.environ.get("INTRAPRENEUR_BIND", "0.0.0.0:8000")
workers = _workers()  # 2 x CPUs + 1, at most 8, unless INTRAPRENEUR_WEB_WORKERS says
threads = 2
timeout = 30
graceful_timeout = 30
keepalive = 5

# Only the reverse proxy may tell gunicorn the client's address and scheme.
forwarded_allow_ips = os.environ.get("INTRAPRENEUR_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Gunicorn 25+ opens a control socket under $HOME by default: nothing here uses it, and a
# read-only root filesystem (the Helm chart's) has no $HOME to write to.
control_socket_disable = True

# Logs to stdout/stderr for the container runtime or journald; one JSON object per request.
accesslog = "-"
errorlog = "-"
# One JSON object per request, built with json.dumps, with the secrets some paths carry
# (invitation, calendar-feed and survey links) redacted.
logger_class = "intrapreneur.core.access_log.AccessLogger"


def on_starting(server):  # type: ignore[no-untyped-def]
    """Prometheus' multi-process files of a previous run would add to this run's counts."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
