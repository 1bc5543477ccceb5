"""Liveness and readiness probes for load balancers and Kubernetes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from intrapreneur.core.health import readiness
from intrapreneur.core.permissions import public
from intrapreneur.extensions import limiter

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@limiter.exempt
@public
def healthz() -> ResponseReturnValue:
    """The process is up; says nothing about its dependencies."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
@limiter.exempt
@public
def readyz() -> ResponseReturnValue:
    checks = readiness()
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
