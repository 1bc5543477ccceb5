"""What operators watch the application through: the log level and access to ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from intrapreneur.settings.reading import PREFIX, ConfigError, read

MIN_METRICS_TOKEN_LENGTH = 16


def metrics_token(env: Mapping[str, str]) -> str | None:
    token = read(env, "METRICS_TOKEN")
    if token is not None and len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ConfigError(
            f"{PREFIX}METRICS_TOKEN is too short: use at least {MIN_METRICS_TOKEN_LENGTH} random "
            "characters (e.g. from `openssl rand -hex 32`)"
        )
    return token


def log_level(env: Mapping[str, str]) -> str:
    level = (read(env, "LOG_LEVEL") or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(
            f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}"
        )
    return level
