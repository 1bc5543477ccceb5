"""Gunicorn's access log: one JSON object per request, without the secrets some URLs carry.

Invitation, calendar-feed and survey links hold their credential in the path, and gunicorn
logs paths as they come, so every text field is redacted first. The line is built with
``json.dumps`` rather than gunicorn's ``access_log_format``: a format string leaves
backslashes and control characters of a decoded path unescaped, so a request for ``/a%5C``
would write a line no log collector can parse. config/gunicorn.conf.py names this class.
"""

from __future__ import annotations

import json
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

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
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
            # The app's own id (checked, or made when the incoming one was unsafe).
            "request_id": atoms.get("{x-request-id}o") or None,
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(entry, ensure_ascii=False))
