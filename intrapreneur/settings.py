"""Settings read from ``INTRAPRENEUR_*`` environment variables.

Every setting has one place here; the README's configuration table lists the
same names. Production refuses to start on unsafe or missing values instead of
falling back to something insecure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "INTRAPRENEUR_"
ENVIRONMENTS = ("production", "development", "test")
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(Exception):
    """A setting is missing or unsafe; the message is one line for the operator."""


def _read(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """Read ``INTRAPRENEUR_<name>``, or the file named by ``INTRAPRENEUR_<name>_FILE``.

    The ``_FILE`` form lets Kubernetes and Docker secrets be mounted as files.
    """
    file_name = env.get(f"{PREFIX}{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"{PREFIX}{name}_FILE cannot be read: {error.strerror}") from None
    value = env.get(f"{PREFIX}{name}")
    return value if value not in (None, "") else default


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = (_read(env, name) or "").lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {value!r}")


def _whole_number(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = _read(env, name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigError(
            f"{PREFIX}{name} must be a whole number of at least {minimum}, not {raw!r}"
        )
    return int(raw)


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    redis_url: str | None
    ldap_url: str | None
    dev_sign_in: bool
    invitation_days: int
    guest_access_days: int
    password_min_length: int
    login_rate_limit: str
    trusted_proxies: int
    instance_path: Path

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, object]:
        """The Flask config keys these settings turn into."""
        return {
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(self.database_url),
            "REDIS_URL": self.redis_url,
            "LDAP_URL": self.ldap_url,
            "DEV_SIGN_IN": self.dev_sign_in,
            "INVITATION_DAYS": self.invitation_days,
            "GUEST_ACCESS_DAYS": self.guest_access_days,
            "PASSWORD_MIN_LENGTH": self.password_min_length,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "TRUSTED_PROXIES": self.trusted_proxies,
            # Large enough for any form, small enough that nobody can fill memory.
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.is_production,
            "PERMANENT_SESSION_LIFETIME": 8 * 60 * 60,
            "WTF_CSRF_TIME_LIMIT": None,
        }


def _engine_options(database_url: str) -> dict[str, object]:
    # pre_ping lets the pool survive a database restart without user-visible errors.
    if database_url.startswith("sqlite"):
        return {"pool_pre_ping": True}
    return {"pool_pre_ping": True, "pool_recycle": 1800}


def _secret_key(env: Mapping[str, str], name: str, instance_path: Path) -> str:
    key = _read(env, "SECRET_KEY")
    if name == "production":
        if not key:
            raise ConfigError(
                f"{PREFIX}SECRET_KEY is not set: production needs a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters (e.g. from `openssl rand -hex 32`)"
            )
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"{PREFIX}SECRET_KEY is too short: production needs at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters"
            )
        return key
    if key:
        return key
    return _development_secret_key(instance_path)


def _development_secret_key(instance_path: Path) -> str:
    """A random key kept in the instance folder, so dev sessions survive restarts.

    There is deliberately no default key in the code.
    """
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def load(environ: Mapping[str, str] | None = None, instance_path: Path | None = None) -> Settings:
    """Read and check every setting; raise ConfigError with one clear line."""
    env = os.environ if environ is None else environ
    name = (_read(env, "ENV") or "production").lower()
    if name not in ENVIRONMENTS:
        raise ConfigError(f"{PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    instance = Path(_read(env, "INSTANCE_PATH") or instance_path or Path.cwd() / "instance")
    dev_sign_in = _flag(env, "DEV_SIGN_IN")
    if dev_sign_in and name == "production":
        raise ConfigError(
            f"{PREFIX}DEV_SIGN_IN is a development-only sign-in and cannot be enabled in production"
        )
    return Settings(
        env=name,
        secret_key=_secret_key(env, name, instance),
        database_url=_read(env, "DATABASE_URL") or f"sqlite:///{instance / 'intrapreneur.db'}",
        redis_url=_read(env, "REDIS_URL"),
        ldap_url=_read(env, "LDAP_URL"),
        dev_sign_in=dev_sign_in,
        invitation_days=_whole_number(env, "INVITATION_DAYS", 14),
        guest_access_days=_whole_number(env, "GUEST_ACCESS_DAYS", 180),
        password_min_length=_whole_number(env, "PASSWORD_MIN_LENGTH", 12),
        login_rate_limit=_read(env, "LOGIN_RATE_LIMIT") or "10 per minute",
        trusted_proxies=_whole_number(env, "TRUSTED_PROXIES", 0, minimum=0),
        instance_path=instance,
    )
