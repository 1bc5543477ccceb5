"""The read-only API's tokens: how long an admin may let one live."""

from __future__ import annotations

from collections.abc import Mapping

from intrapreneur.settings.reading import PREFIX, ConfigError, whole_number

# A token outliving a few years outlives the system and the people who set it up.
LONGEST_TOKEN_DAYS = 5 * 366


def token_days(env: Mapping[str, str]) -> tuple[int, int]:
    """The expiry offered on the form and the latest one allowed, in days from today."""
    most = whole_number(env, "API_TOKEN_MAX_DAYS", 365, maximum=LONGEST_TOKEN_DAYS)
    offered = whole_number(env, "API_TOKEN_DAYS", min(90, most), maximum=LONGEST_TOKEN_DAYS)
    if offered > most:
        raise ConfigError(
            f"{PREFIX}API_TOKEN_DAYS ({offered}) is longer than {PREFIX}API_TOKEN_MAX_DAYS "
            f"({most}): the form would offer an expiry it then refuses"
        )
    return offered, most
