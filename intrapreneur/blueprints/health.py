"""Liveness and readiness probes for load balancers and Kubernetes."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from intrapreneur.core.health import Check, readiness
from intrapreneur.core.permissions import public
from intrapreneur.extensions import limiter
from intrapreneur.identity.directory import Directory

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@limiter.exempt
@public
def healthz() -> ResponseReturnValue:
    """The process is up; says nothing about its dependencies."""
    return jsonify(status="ok")


def _directory() -> None:
    Directory(current_app.config["DIRECTORY"]).ping()


def _domain_checks() -> dict[str, Check]:
    return {"directory": _directory} if current_app.config.get("DIRECTORY") else {}


@blueprint.get("/readyz")
@limiter.exempt
@public
def readyz() -> ResponseReturnValue:
    checks = readiness(_domain_checks())
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
