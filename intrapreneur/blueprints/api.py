"""The read-only JSON API for HR systems: `/api/v1/`, described by `/api/v1/openapi.json`.

Token-authenticated (see core/api.py), so CSRF does not apply: no cookie is used.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from intrapreneur.core.api import api_access
from intrapreneur.core.permissions import public
from intrapreneur.culture import behaviour
from intrapreneur.extensions import csrf
from intrapreneur.identity.models import ApiScope

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)


@blueprint.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    return jsonify(OPENAPI)


@blueprint.get("/culture/behaviour")
@api_access(ApiScope.CULTURE_READ)
def culture_behaviour() -> ResponseReturnValue:
    """Organisation-wide behaviour figures: totals and rates, never individuals."""
    now = datetime.now(UTC)
    decisions, reviews, network = behaviour.decisions(), behaviour.reviews(), behaviour.network(now)
    participation = behaviour.participation(date.today())
    return jsonify(
        participation={
            "participants": participation.participants,
            "in_a_set": participation.in_a_set,
        },
        experiments_per_month=[
            {"month": m.month, "started": m.started, "decided": m.decided, "ventures": m.ventures}
            for m in behaviour.experiments_per_month()
        ],
        decisions={
            "decided": decisions.decided,
            "kill_rate": decisions.kill_rate,
            "pivot_rate": decisions.pivot_rate,
            "mean_days_to_decision": decisions.mean_days_to_decision,
        },
        reviews={
            "reviews": reviews.reviews,
            "support": reviews.support,
            "challenge": reviews.challenge,
            "mean_wait_hours": reviews.mean_wait_hours,
        },
        interaction_network={
            "pairs": network.pairs,
            "employees_in_sessions": network.employees_in_sessions,
            "share_who_met_an_entrepreneur": network.share_who_met,
        },
    )


def _number(nullable: bool = True) -> dict[str, Any]:
    return {"type": ["number", "null"] if nullable else "number"}


def _integer() -> dict[str, Any]:
    return {"type": "integer"}


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties)}


ERROR = _object(error={"type": "string"})
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Intrapreneur culture metrics API",
        "version": "1",
        "description": (
            "Read-only aggregates for HR systems. Every figure is a group's, never a "
            "person's; survey figures follow the same minimum-group-size and suppression "
            "rules as the dashboards. Tokens are created by an administrator "
            "(Administration → API clients), shown once, and can be revoked."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": ERROR},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/culture/behaviour": {
            "get": {
                "summary": "Behaviour figures for the whole organisation",
                "responses": {
                    "200": {
                        "description": "Participation, experiments, decisions, reviews and "
                        "the employee–entrepreneur network.",
                        "content": {
                            "application/json": {
                                "schema": _object(
                                    participation=_object(
                                        participants=_integer(), in_a_set=_integer()
                                    ),
                                    experiments_per_month={
                                        "type": "array",
                                        "items": _object(
                                            month={"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                                            started=_integer(),
                                            decided=_integer(),
                                            ventures=_integer(),
                                        ),
                                    },
                                    decisions=_object(
                                        decided=_integer(),
                                        kill_rate=_number(),
                                        pivot_rate=_number(),
                                        mean_days_to_decision=_number(),
                                    ),
                                    reviews=_object(
                                        reviews=_integer(),
                                        support=_integer(),
                                        challenge=_integer(),
                                        mean_wait_hours=_number(),
                                    ),
                                    interaction_network=_object(
                                        pairs=_integer(),
                                        employees_in_sessions=_integer(),
                                        share_who_met_an_entrepreneur=_number(),
                                    ),
                                )
                            }
                        },
                    },
                    "401": {
                        "description": "No token, or a revoked or unknown one.",
                        "content": {"application/json": {"schema": ERROR}},
                    },
                    "403": {
                        "description": "The token's scope does not cover this.",
                        "content": {"application/json": {"schema": ERROR}},
                    },
                },
            }
        }
    },
}
