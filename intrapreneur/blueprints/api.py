"""The read-only JSON API for HR systems: `/api/v1/`, described by `/api/v1/openapi.json`.

Token-authenticated (see identity/api_access.py), so CSRF does not apply: no cookie is used.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from intrapreneur.core.permissions import public
from intrapreneur.culture import behaviour, exports
from intrapreneur.culture.dashboard import NotPublishedYet, all_published, rules_in_force
from intrapreneur.culture.figures import Figure
from intrapreneur.extensions import csrf
from intrapreneur.identity.api_access import api_access, refusal
from intrapreneur.identity.models import ApiScope

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)

# The API's answers are read by programs: English, untranslated, like its documentation.
UNKNOWN_WAVE = "There is no such survey wave, or it has not opened yet."


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


@blueprint.get("/culture/scores")
@api_access(ApiScope.CULTURE_READ)
def culture_scores() -> ResponseReturnValue:
    """One wave's survey figures (default the latest), suppressed as on the dashboard."""
    wave_id = request.args.get("wave")
    if wave_id is not None and not wave_id.isdecimal():
        return refusal(404, UNKNOWN_WAVE)
    waves = exports.waves_through([int(wave_id)] if wave_id else [], date.today())
    if waves is None:
        return refusal(404, UNKNOWN_WAVE)
    rules = rules_in_force()
    try:
        chosen = all_published(waves, rules)[-1]
    except NotPublishedYet as waiting:
        return refusal(409, str(waiting))
    figures = list(chosen.selected())
    # Every figure names the same dimensions: every one the wave was scored on.
    dimensions = chosen.dimensions()
    return jsonify(
        wave={
            "id": chosen.wave.id,
            "title": chosen.wave.title,
            "instrument_key": chosen.wave.instrument_key,
        },
        rules={"k": rules.k},
        figures=[_figure_json(figure, dimensions) for figure in figures],
    )


def _figure_json(figure: Figure, dimensions: list[str]) -> dict[str, Any]:
    return {
        "group": figure.group,
        "respondents": figure.respondents,
        "means": {dimension: figure.means.get(dimension) for dimension in dimensions},
        "answers": {dimension: figure.answers.get(dimension) for dimension in dimensions},
        "hidden_dimensions": sorted(figure.hidden_dimensions),
        "hidden": figure.hidden,
        "label": figure.label,
    }


def _number(nullable: bool = True) -> dict[str, Any]:
    return {"type": ["number", "null"] if nullable else "number"}


def _integer() -> dict[str, Any]:
    return {"type": "integer"}


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(properties)}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


ERROR = _object(error={"type": "string"})
REFUSALS = {
    "400": _error("The request could not be read, e.g. a parameter holds a NUL character."),
    "401": _error("No token, or a revoked or unknown one."),
    "403": _error("The token's scope does not cover this."),
}
SCORES = _object(
    wave=_object(id=_integer(), title={"type": "string"}, instrument_key={"type": "string"}),
    rules=_object(k=_integer()),
    figures={
        "type": "array",
        "items": _object(
            group={
                "type": "object",
                "description": "The group's coordinates; one left out means everyone.",
                "properties": {
                    "department": {"type": "string"},
                    "cohort": {"type": "string"},
                    "group": {"enum": ["participant", "comparison"]},
                },
                "additionalProperties": False,
            },
            respondents={"type": ["integer", "null"]},
            means={
                "type": "object",
                "description": "Mean score per dimension id; null when hidden or unanswered.",
                "additionalProperties": _number(),
            },
            answers={
                "type": "object",
                "description": "The answers each mean rests on; null when hidden.",
                "additionalProperties": {"type": ["integer", "null"]},
            },
            hidden_dimensions={
                "type": "array",
                "description": "Dimensions whose mean is hidden although the group is shown.",
                "items": {"type": "string"},
            },
            hidden={"type": "boolean"},
            label={
                "type": ["string", "null"],
                "description": "What to print instead of the figure (hidden, no responses).",
            },
        ),
    },
)
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
                    **REFUSALS,
                },
            }
        },
        "/culture/scores": {
            "get": {
                "summary": "One survey wave's scores, suppressed as on the dashboard",
                "parameters": [
                    {
                        "name": "wave",
                        "in": "query",
                        "required": False,
                        "description": "The wave's id; by default the latest that has opened.",
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The wave, the minimum group size k, and one figure per "
                        "group: everyone, each department, cohort and group (participants or "
                        "comparison), and each combination of those. A hidden figure has no "
                        "respondents and no means, only its label; 'none' as a department or "
                        "cohort means people in no department or no cohort.",
                        "content": {"application/json": {"schema": SCORES}},
                    },
                    **REFUSALS,
                    "404": _error("No such wave, or it has not opened yet."),
                    "409": _error("The wave has closed; its figures are being published."),
                },
            }
        },
    },
}
