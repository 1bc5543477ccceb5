"""Gunicorn's access log without the secrets some URLs carry.

Invitation, calendar-feed and survey links hold their credential in the path, and
gunicorn logs paths as they come. Use with ``logger_class =
"intrapreneur.core.access_log.AccessLogger"`` in config/gunicorn.conf.py.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from intrapreneur.core.logs import redact_path


class AccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        # Every text field: the path, the request line, the raw URI, a Referer header …
        return {
            key: redact_path(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
