"""Gunicorn settings for Intrapreneur.

    gunicorn --config config/gunicorn.conf.py

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

# Logs to stdout/stderr for the container runtime or journald; one JSON object per request.
# Gunicorn escapes double quotes inside values, so header and path values stay in their strings.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"remote_addr": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": %(B)s, "duration_ms": %(M)s, "request_id": "%({x-request-id}i)s"}'
)
