"""Keyed pseudonyms: the same person gets the same pseudonym in every wave, and nobody
without the key can tell whose it is.

The key (``INTRAPRENEUR_SURVEY_PSEUDONYM_KEY``) lives outside the database, so a
dump alone cannot be turned back into people, nor can a dump's pseudonyms be
recomputed from the person ids it also holds. A plain hash of the id could be.
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(person_id: int, key: str) -> str:
    """HMAC-SHA256 of the person id, as 64 hex characters."""
    return hmac.new(key.encode(), str(person_id).encode(), hashlib.sha256).hexdigest()
