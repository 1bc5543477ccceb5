"""The bodies of an email, rendered from its pair of templates under ``templates/email/``."""

from __future__ import annotations

from typing import Any

from flask import render_template


def render(template: str, **context: Any) -> tuple[str, str]:
    """The plain-text and the HTML part from ``email/<template>.txt`` and ``.html``.

    Only the HTML template is autoescaped (Flask escapes by file extension): the
    text part shows what people typed as they typed it.
    """
    return (
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )
