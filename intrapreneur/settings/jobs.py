"""Background-job settings: the RQ queue's name and the delays between retries."""

from __future__ import annotations

import re
from collections.abc import Mapping

from intrapreneur.settings.reading import PREFIX, ConfigError, read


def queue_name(env: Mapping[str, str]) -> str:
    """The RQ queue the web enqueues on and `intrapreneur worker` listens to."""
    name = read(env, "JOBS_QUEUE") or "intrapreneur"
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name):
        raise ConfigError(
            f"{PREFIX}JOBS_QUEUE must be 1 to 60 letters, digits, _ or - characters, not {name!r}"
        )
    return name


def retry_delays(env: Mapping[str, str]) -> tuple[int, ...]:
    """Seconds to wait before each retry of a failed job; their count is the number of retries."""
    raw = read(env, "JOB_RETRY_DELAYS") or "30,120,600"
    if raw.strip().lower() == "none":
        return ()
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isdigit() for part in parts) or len(parts) > 10:
        raise ConfigError(
            f"{PREFIX}JOB_RETRY_DELAYS must be up to 10 whole numbers of seconds separated by "
            f"commas (e.g. 30,120,600), or none, not {raw!r}"
        )
    return tuple(int(part) for part in parts)
