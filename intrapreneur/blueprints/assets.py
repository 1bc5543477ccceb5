"""Front-end assets that come inside Python packages rather than from ``static/``."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from flask import Blueprint, send_file
from flask.typing import ResponseReturnValue
from plotly.offline import get_plotlyjs_version

from intrapreneur.core.permissions import public
from intrapreneur.core.security import ONE_YEAR

blueprint = Blueprint("assets", __name__)

# The bundle plotly.py ships is the one its figures are written for; serving it from the
# package keeps the two in step on every upgrade (and nothing is loaded from a CDN).
PLOTLY_JS = str(files("plotly") / "package_data" / "plotly.min.js")
PLOTLY_JS_VERSION = get_plotlyjs_version()


@blueprint.url_defaults
def _versioned(endpoint: str, values: dict[str, Any]) -> None:
    """Links carry the version, so a new bundle gets a new URL and the old one can be
    cached for a year."""
    values.setdefault("v", PLOTLY_JS_VERSION)


@blueprint.get("/static/vendor/plotly/plotly.min.js")
@public
def plotly() -> ResponseReturnValue:
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR)
    response.cache_control.immutable = True
    return response
