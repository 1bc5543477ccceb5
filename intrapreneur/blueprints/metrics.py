"""``/metrics`` for Prometheus: off unless a token or an address range is configured."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue

from intrapreneur.core import metrics
from intrapreneur.core.permissions import public
from intrapreneur.extensions import limiter

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics", endpoint="metrics")
@limiter.exempt
@public
def metrics_view() -> ResponseReturnValue:
    """Access is a scraper's token or address, not a person's session (see docs/operations.md)."""
    problem = metrics.access_problem()
    if problem == 401:
        return Response(
            "Send the metrics token: 'Authorization: Bearer <token>'.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain"},
        )
    if problem is not None:
        abort(problem)
    return metrics.exposition()
