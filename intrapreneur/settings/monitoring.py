"""What operators watch the application through: the log level, access to ``/metrics`` and
the optional syslog destination of the audit trail."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from logging.handlers import SysLogHandler

from intrapreneur.settings.reading import PREFIX, ConfigError, flag, read

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


@dataclass(frozen=True)
class SyslogSettings:
    """Where audit events (and, if asked, the app's own log) go as JSON lines."""

    address: tuple[str, int] | str  # (host, UDP port), or a unix socket's path
    facility: int
    app_log: bool


def syslog(env: Mapping[str, str]) -> SyslogSettings | None:
    raw = read(env, "SYSLOG_ADDRESS")
    if raw is None:
        return None
    facility_name = (read(env, "SYSLOG_FACILITY") or "local0").lower()
    if facility_name not in SysLogHandler.facility_names:
        raise ConfigError(
            f"{PREFIX}SYSLOG_FACILITY must be a syslog facility such as local0 … local7, "
            f"auth or user, not {facility_name!r}"
        )
    return SyslogSettings(
        address=_syslog_address(raw),
        facility=SysLogHandler.facility_names[facility_name],
        app_log=flag(env, "SYSLOG_APP_LOG"),
    )


def _syslog_address(raw: str) -> tuple[str, int] | str:
    """``/dev/log`` (a unix socket) or ``host:port`` (UDP); ``[::1]:514`` for IPv6."""
    if raw.startswith("/"):
        return raw
    host, _, port = raw.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"{PREFIX}SYSLOG_ADDRESS must be host:port (UDP) or a unix socket path such as "
            f"/dev/log, not {raw!r}"
        )
    return host, int(port)
