"""Gunicorn settings for Intrapreneur.

    intrapreneur serve                              # uses this file
    gunicorn --config config/gunicorn.conf.py       # the same, by hand

The ``INTRAPRENEUR_*`` variables below tune the server; the application itself reads its
own settings from the environment (see config/intrapreneur.env.example).
"""

import json
import os

from gunicorn import glogging


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


class JsonAccessLogger(glogging.Logger):
    """One JSON object per request on the access log.

    Built with ``json.dumps`` rather than gunicorn's ``access_log_format``: a format string
    leaves backslashes and control characters of a decoded path unescaped, so a request for
    ``/a%5C`` would write a line no log collector can parse.
    """

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        status = str(atoms["s"])
        entry = {
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "status": int(status) if status.isdigit() else status,
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            # The app's own id when it sets one on the response, else the proxy's.
            "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i"),
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(entry, ensure_ascii=False))


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
logger_class = JsonAccessLogger
