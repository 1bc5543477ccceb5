"""The administrators' pages: the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from intrapreneur.core import queries as core_queries
from intrapreneur.core.pagination import paginate
from intrapreneur.core.permissions import requires
from intrapreneur.identity.permissions import can_read_audit_log

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.get("/audit")
@requires(can_read_audit_log)
def audit_log() -> ResponseReturnValue:
    action = request.args.get("action", "").strip()[:80]
    return render_template(
        "admin/audit_log.html",
        page=paginate(core_queries.audit_events(action=action or None), per_page=50),
        action=action,
        actions=core_queries.audit_actions(),
    )
