"""Reading one ``INTRAPRENEUR_*`` variable, and its one-line error when the value is wrong.

Every reader takes the environment as a mapping (``os.environ``, or a test's own dict), the
variable's name without the prefix, and its default; none reads ``os.environ`` itself.

Why not pydantic-settings: almost every line here and in the modules beside it is a rule
with its own one-line message for the operator ("must be a whole number of at least 1, not
'0'"), and the tests pin those messages. pydantic-settings would still need a validator per
rule to say them, plus a source of its own for ``<NAME>_FILE`` (its ``secrets_dir`` reads
files named after fields, not a path per variable), plus flattening its multi-line
``ValidationError`` into one line, plus model validators for the rules that span settings
(production keys, group search). That is no shorter, and it adds pydantic and its compiled
core as dependencies of every deployment.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from pathlib import Path

PREFIX = "INTRAPRENEUR_"


class ConfigError(Exception):
    """A setting is missing or unsafe; the message is one line for the operator."""


def read(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """Read ``INTRAPRENEUR_<name>``, or the file named by ``INTRAPRENEUR_<name>_FILE``.

    The ``_FILE`` form lets Kubernetes and Docker secrets be mounted as files. An empty
    value means the default.
    """
    file_name = env.get(f"{PREFIX}{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{PREFIX}{name}_FILE cannot be read: {error.strerror}") from None
    value = env.get(f"{PREFIX}{name}")
    return value if value not in (None, "") else default


def flag(env: Mapping[str, str], name: str) -> bool:
    value = (read(env, name) or "").lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {value!r}")


def whole_number(
    env: Mapping[str, str], name: str, default: int, minimum: int = 1, maximum: int | None = None
) -> int:
    raw = read(env, name)
    if raw is None:
        return default
    if maximum is not None and not (raw.isdigit() and minimum <= int(raw) <= maximum):
        raise ConfigError(
            f"{PREFIX}{name} must be a whole number from {minimum} to {maximum}, not {raw!r}"
        )
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigError(
            f"{PREFIX}{name} must be a whole number of at least {minimum}, not {raw!r}"
        )
    return int(raw)


def seconds(env: Mapping[str, str], name: str, default: float, maximum: float) -> float:
    """A timeout: more than 0 seconds, at most ``maximum``."""
    raw = read(env, name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if not 0 < value <= maximum:
        raise ConfigError(f"{PREFIX}{name} must be seconds between 0 and {maximum:g}, not {raw!r}")
    return value


def share(env: Mapping[str, str], name: str, default: float) -> float:
    raw = read(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 1:
        raise ConfigError(f"{PREFIX}{name} must be a share between 0 and 1, not {raw!r}")
    return value


def hour(env: Mapping[str, str], name: str, default: int) -> int:
    raw = read(env, name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > 23:
        raise ConfigError(f"{PREFIX}{name} must be an hour from 0 to 23 (UTC), not {raw!r}")
    return int(raw)


def json_object(env: Mapping[str, str], name: str) -> dict[str, object]:
    raw = read(env, name)
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{PREFIX}{name} is not valid JSON: {error.msg} at {error.pos}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{PREFIX}{name} must be a JSON object")
    return value


def networks(
    env: Mapping[str, str], name: str
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or CIDR ranges, e.g. ``10.0.0.0/8, 127.0.0.1``."""
    found = []
    for item in (read(env, name) or "").split(","):
        if item.strip():
            try:
                found.append(ipaddress.ip_network(item.strip()))
            except ValueError:
                raise ConfigError(
                    f"{PREFIX}{name} must list addresses or CIDR ranges such as 10.0.0.0/8, "
                    f"not {item.strip()!r}"
                ) from None
    return tuple(found)
