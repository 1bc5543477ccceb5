"""Reading the search page as a browser gets it."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

_RESULTS = re.compile(r'<ol class="search-results">(.*?)</ol>', re.S)
_TITLE = re.compile(r'<a href="[^"]*">([^<]*)</a>')


def results_block(page: str) -> str:
    """The result list's HTML of a search page ('' when it lists nothing)."""
    found = _RESULTS.search(page)
    return found.group(1) if found else ""


def titles(page: str) -> list[str]:
    return _TITLE.findall(results_block(page))


def search(client: FlaskClient, **args: Any) -> tuple[int, str]:
    response = client.get("/search", query_string=args)
    return response.status_code, response.get_data(as_text=True)
