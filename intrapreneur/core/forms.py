"""Form helpers shared by every domain."""

from __future__ import annotations


def strip_whitespace(value: str | None) -> str | None:
    """WTForms filter: people paste names and addresses with stray spaces."""
    return value.strip() if isinstance(value, str) else value
