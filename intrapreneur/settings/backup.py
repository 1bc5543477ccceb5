"""Who can read the backups ``intrapreneur backup`` writes: the public keys it encrypts to."""

from __future__ import annotations

from collections.abc import Mapping

from intrapreneur.core.backup import BackupError, listed_recipients
from intrapreneur.settings.reading import PREFIX, ConfigError, read


def recipients(env: Mapping[str, str]) -> tuple[str, ...]:
    """age public keys (``age1…``), separated by commas or spaces; checked here, so a key
    mistyped in the configuration stops the app at start, not the night's backup."""
    raw = read(env, "BACKUP_RECIPIENTS")
    if raw is None:
        return ()
    try:
        return tuple(listed_recipients(raw, f"{PREFIX}BACKUP_RECIPIENTS"))
    except BackupError as problem:
        raise ConfigError(str(problem)) from None
