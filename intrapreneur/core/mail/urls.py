"""Links in emails: full addresses, built from INTRAPRENEUR_BASE_URL or the request's own
address, since an email is read outside the app."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request


def site_root() -> str | None:
    """The public address for links: INTRAPRENEUR_BASE_URL, else the request's own."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured)
    if has_request_context():
        return request.url_root.rstrip("/")
    return None


def absolute_url(endpoint: str, *, root: str | None = None, **values: Any) -> str | None:
    """A full link for an email, or None when no public address is known (a job
    without INTRAPRENEUR_BASE_URL): the email then says where to go in words. ``root``
    is the address of the request that asked for the job, used when no base URL is set."""
    root = site_root() or root
    if root is None:
        return None
    parts = urlsplit(root)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def preferences_url() -> str | None:
    """Where a person turns optional emails off (the footer of every optional one)."""
    return absolute_url("account.notifications")


def site_domain() -> str:
    """The host name that calendar UIDs end with (the same as in the .ics downloads)."""
    root = site_root()
    return (urlsplit(root).hostname if root else None) or "intrapreneur.invalid"
