"""Markdown for free text people write (problems, hypotheses, learning, review comments).

Two locks, so that neither alone has to be perfect: markdown-it-py runs with raw
HTML off (typed tags come out as text), and nh3 (the Ammonia sanitiser) then keeps
only a short list of tags and attributes, so no script, style, event handler or
``javascript:`` link survives. Links get ``rel="noopener noreferrer nofollow"``.
The result is marked as what people wrote (``class="user-text"``): in whatever language
they wrote it, apart from the product's own words around it.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> Markup:
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(f'<div class="user-text">{clean}</div>')  # noqa: S704 (sanitised by nh3 just above)  # nosec B704
