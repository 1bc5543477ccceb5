"""Settings read from ``INTRAPRENEUR_*`` environment variables.

Every setting has one place here; the README's configuration table lists the
same names. Production refuses to start on unsafe or missing values instead of
falling back to something insecure.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

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


OPENLDAP_ATTRIBUTES = {
    "id": "entryUUID",
    "username": "uid",
    "email": "mail",
    "name": "cn",
    "department": "departmentNumber",
    "title": "title",
    "manager": "manager",
}
MAPPABLE_ROLES = ("facilitator", "manager", "hr", "admin")
MEMBERSHIP_MODES = ("memberof", "search")


@dataclass(frozen=True)
class DirectorySettings:
    """How to reach and read the company directory (OpenLDAP or Active Directory)."""

    urls: tuple[str, ...]
    bind_dn: str | None
    bind_password: str | None = field(repr=False)
    user_base: str
    user_filter: str
    group_base: str | None
    membership: str
    member_attribute: str
    nested_groups: bool
    active_directory: bool
    role_map: dict[str, tuple[str, ...]]
    attributes: dict[str, str]
    start_tls: bool
    ca_file: str | None
    timeout: float
    page_size: int


def _json_object(env: Mapping[str, str], name: str) -> dict[str, object]:
    raw = _read(env, name)
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{PREFIX}{name} is not valid JSON: {error.msg} at {error.pos}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{PREFIX}{name} must be a JSON object")
    return value


def _role_map(env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    mapping = _json_object(env, "LDAP_ROLE_MAP")
    for role, groups in mapping.items():
        if role not in MAPPABLE_ROLES:
            raise ConfigError(
                f"{PREFIX}LDAP_ROLE_MAP maps unknown role {role!r}; "
                f"use {', '.join(MAPPABLE_ROLES)} (everyone in the user base is an employee)"
            )
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise ConfigError(f"{PREFIX}LDAP_ROLE_MAP[{role!r}] must be a list of group DNs")
    return {role: tuple(groups) for role, groups in mapping.items()}  # type: ignore[arg-type]


def _attributes(env: Mapping[str, str]) -> dict[str, str]:
    overrides = _json_object(env, "LDAP_ATTR_MAP")
    unknown = set(overrides) - set(OPENLDAP_ATTRIBUTES)
    if unknown:
        raise ConfigError(
            f"{PREFIX}LDAP_ATTR_MAP has unknown fields {sorted(unknown)}; "
            f"known: {', '.join(OPENLDAP_ATTRIBUTES)}"
        )
    return {**OPENLDAP_ATTRIBUTES, **{k: str(v) for k, v in overrides.items()}}


def _timeout(env: Mapping[str, str]) -> float:
    raw = _read(env, "LDAP_TIMEOUT") or "5"
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 120:
        raise ConfigError(f"{PREFIX}LDAP_TIMEOUT must be seconds between 0 and 120, not {raw!r}")
    return seconds


def load_directory(env: Mapping[str, str]) -> DirectorySettings | None:
    """The directory settings alone; None when INTRAPRENEUR_LDAP_URL is not set."""
    urls = tuple((_read(env, "LDAP_URL") or "").split())
    if not urls:
        return None
    for url in urls:
        if not url.startswith(("ldap://", "ldaps://")):
            raise ConfigError(f"{PREFIX}LDAP_URL entries must start with ldap:// or ldaps://")
    user_base = _read(env, "LDAP_USER_BASE")
    if not user_base:
        raise ConfigError(f"{PREFIX}LDAP_USER_BASE is not set: where are the people?")
    user_filter = _read(env, "LDAP_USER_FILTER") or "(&(objectClass=inetOrgPerson)(uid={username}))"
    if "{username}" not in user_filter:
        raise ConfigError(f"{PREFIX}LDAP_USER_FILTER must contain {{username}}")
    membership = (_read(env, "LDAP_GROUP_MEMBERSHIP") or "memberof").lower()
    if membership not in MEMBERSHIP_MODES:
        raise ConfigError(f"{PREFIX}LDAP_GROUP_MEMBERSHIP must be memberof or search")
    group_base = _read(env, "LDAP_GROUP_BASE")
    if (membership == "search" or _flag(env, "LDAP_NESTED_GROUPS")) and not group_base:
        raise ConfigError(f"{PREFIX}LDAP_GROUP_BASE is needed to search groups")
    return DirectorySettings(
        urls=urls,
        bind_dn=_read(env, "LDAP_BIND_DN"),
        bind_password=_read(env, "LDAP_BIND_PASSWORD"),
        user_base=user_base,
        user_filter=user_filter,
        group_base=group_base,
        membership=membership,
        member_attribute=_read(env, "LDAP_GROUP_MEMBER_ATTRIBUTE") or "member",
        nested_groups=_flag(env, "LDAP_NESTED_GROUPS"),
        active_directory=_flag(env, "LDAP_ACTIVE_DIRECTORY"),
        role_map=_role_map(env),
        attributes=_attributes(env),
        start_tls=_flag(env, "LDAP_START_TLS"),
        ca_file=_read(env, "LDAP_CA_FILE"),
        timeout=_timeout(env),
        page_size=_whole_number(env, "LDAP_PAGE_SIZE", 500),
    )


MAIL_SCHEMES = {"smtp": 587, "smtps": 465}


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server that sends the outbox (``core/mail.py``)."""

    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None = field(repr=False)
    sender: str
    ca_file: str | None
    timeout: float


def load_mail(env: Mapping[str, str]) -> MailSettings | None:
    """The SMTP settings; None (delivery off, emails wait in the outbox) without a URL.

    ``smtp://user:password@host:587`` speaks STARTTLS and refuses to go on without it
    (``?starttls=false`` for a relay on a trusted network that has no TLS);
    ``smtps://host:465`` speaks TLS from the first byte.
    """
    raw = _read(env, "SMTP_URL")
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in MAIL_SCHEMES or not parts.hostname:
        raise ConfigError(
            f"{PREFIX}SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"
        )
    try:
        port = parts.port or MAIL_SCHEMES[parts.scheme]
    except ValueError:
        raise ConfigError(f"{PREFIX}SMTP_URL has a port that is not a number") from None
    query = {name: values[-1].lower() for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ConfigError(f"{PREFIX}SMTP_URL knows only the option starttls, not {sorted(unknown)}")
    starttls = query.get("starttls", "true")
    if starttls not in ("true", "false"):
        raise ConfigError(f"{PREFIX}SMTP_URL starttls must be true or false, not {starttls!r}")
    sender = _read(env, "MAIL_FROM")
    if not sender or any(char in sender for char in "\r\n") or "@" not in sender:
        raise ConfigError(
            f"{PREFIX}MAIL_FROM must be the sender address when {PREFIX}SMTP_URL is set, "
            "e.g. Intrapreneur <intrapreneur@example.com>"
        )
    implicit_tls = parts.scheme == "smtps"
    return MailSettings(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit_tls,
        starttls=not implicit_tls and starttls == "true",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        ca_file=_read(env, "SMTP_CA_FILE"),
        timeout=float(_whole_number(env, "SMTP_TIMEOUT", 10)),
    )


def _base_url(env: Mapping[str, str]) -> str | None:
    """The public address, for links in emails written outside a request (reminders)."""
    raw = _read(env, "BASE_URL")
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError(
            f"{PREFIX}BASE_URL must be the public address, e.g. https://intrapreneur.example.com"
        )
    return raw.rstrip("/")


@dataclass(frozen=True)
class Settings:
    env: str
    # Secrets (the URLs may carry passwords): kept out of repr, so printing settings shows none.
    secret_key: str = field(repr=False)
    database_url: str = field(repr=False)
    redis_url: str | None = field(repr=False)
    directory: DirectorySettings | None
    break_glass_admin: bool
    sync_max_deactivate_share: float
    dev_sign_in: bool
    invitation_days: int
    guest_access_days: int
    password_min_length: int
    login_rate_limit: str
    trusted_proxies: int
    instance_path: Path
    survey_instruments_dir: Path | None
    metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    log_level: str
    jobs_queue: str
    job_retry_delays: tuple[int, ...]
    directory_sync_hour: int
    reminders_hour: int
    survey_pseudonym_key: str = field(repr=False)
    mail: MailSettings | None = None
    base_url: str | None = None
    metrics_token: str | None = field(repr=False, default=None)

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
            "DIRECTORY": self.directory,
            "BREAK_GLASS_ADMIN": self.break_glass_admin,
            "SYNC_MAX_DEACTIVATE_SHARE": self.sync_max_deactivate_share,
            "DEV_SIGN_IN": self.dev_sign_in,
            "INVITATION_DAYS": self.invitation_days,
            "GUEST_ACCESS_DAYS": self.guest_access_days,
            "PASSWORD_MIN_LENGTH": self.password_min_length,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            # Sign-in must keep working while Redis is down: the limits then hold per process,
            # and the limiter goes back to Redis once it answers again.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_STORAGE_OPTIONS": _redis_timeouts() if self.redis_url else {},
            "METRICS_TOKEN": self.metrics_token,
            "METRICS_ALLOW": self.metrics_allow,
            "LOG_LEVEL": self.log_level,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "SURVEY_PSEUDONYM_KEY": self.survey_pseudonym_key,
            "SURVEY_INSTRUMENTS_DIR": self.survey_instruments_dir,
            "MAIL": self.mail,
            "BASE_URL": self.base_url,
            "JOBS_QUEUE": self.jobs_queue,
            "JOB_RETRY_DELAYS": self.job_retry_delays,
            # Without Redis, jobs run in this process: on a worker thread, or (in the test
            # suite) at once in the committing thread, so tests need not wait for threads.
            "JOBS_IN_PROCESS": "inline" if self.env == "test" else "thread",
            "DIRECTORY_SYNC_HOUR": self.directory_sync_hour,
            "REMINDERS_HOUR": self.reminders_hour,
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


def _share(env: Mapping[str, str], name: str, default: float) -> float:
    raw = _read(env, name)
    if raw is None:
        return default
    try:
        share = float(raw)
    except ValueError:
        share = -1
    if not 0 <= share <= 1:
        raise ConfigError(f"{PREFIX}{name} must be a share between 0 and 1, not {raw!r}")
    return share


def _redis_timeouts() -> dict[str, object]:
    # A Redis that does not answer must cost a request a second at most, not a hang.
    return {"socket_connect_timeout": 1, "socket_timeout": 1}


def _engine_options(database_url: str) -> dict[str, object]:
    # pre_ping lets the pool survive a database restart without user-visible errors.
    if database_url.startswith("sqlite"):
        return {"pool_pre_ping": True}
    options: dict[str, object] = {"pool_pre_ping": True, "pool_recycle": 1800}
    if database_url.startswith("postgresql+psycopg"):
        # psycopg 3 turns a statement run five times into a server-side prepared one, and
        # PostgreSQL's generic plan for "IN (500 values)" scans the whole table: directory
        # sync went quadratic (bench/README.md). Plain statements are planned per call.
        options["connect_args"] = {"prepare_threshold": None}
    return options


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


def _survey_pseudonym_key(env: Mapping[str, str], name: str, instance_path: Path) -> str:
    """The key of survey pseudonyms; kept out of the database so a dump cannot name anyone."""
    key = _read(env, "SURVEY_PSEUDONYM_KEY")
    if name == "production":
        if not key or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"{PREFIX}SURVEY_PSEUDONYM_KEY is {'too short' if key else 'not set'}: production "
                f"needs a random value of at least {MIN_SECRET_KEY_LENGTH} characters, kept apart "
                "from the database and never changed (e.g. from `openssl rand -hex 32`)"
            )
        if key == _read(env, "SECRET_KEY"):
            raise ConfigError(
                f"{PREFIX}SURVEY_PSEUDONYM_KEY must differ from {PREFIX}SECRET_KEY: the secret key "
                "may be rotated, the pseudonym key never"
            )
        return key
    return key or _development_secret_key(instance_path, "survey_pseudonym_key")


def _development_secret_key(instance_path: Path, file_name: str = "secret_key") -> str:
    """A random key kept in the instance folder, so dev sessions survive restarts.

    There is deliberately no default key in the code.
    """
    path = instance_path / file_name
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
        directory=load_directory(env),
        # Local admin sign-in while the directory is down: on in development, opt-in in production.
        break_glass_admin=_flag(env, "BREAK_GLASS_ADMIN") or name != "production",
        sync_max_deactivate_share=_share(env, "SYNC_MAX_DEACTIVATE_SHARE", 0.1),
        dev_sign_in=dev_sign_in,
        invitation_days=_whole_number(env, "INVITATION_DAYS", 14),
        guest_access_days=_whole_number(env, "GUEST_ACCESS_DAYS", 180),
        password_min_length=_whole_number(env, "PASSWORD_MIN_LENGTH", 12),
        login_rate_limit=_read(env, "LOGIN_RATE_LIMIT") or "10 per minute",
        trusted_proxies=_whole_number(env, "TRUSTED_PROXIES", 0, minimum=0),
        instance_path=instance,
        survey_instruments_dir=_instruments_dir(env),
        jobs_queue=_queue_name(env),
        job_retry_delays=_retry_delays(env),
        directory_sync_hour=_hour(env, "DIRECTORY_SYNC_HOUR", 2),
        reminders_hour=_hour(env, "REMINDERS_HOUR", 7),
        survey_pseudonym_key=_survey_pseudonym_key(env, name, instance),
        mail=load_mail(env),
        base_url=_base_url(env),
        metrics_token=_metrics_token(env),
        metrics_allow=_networks(env, "METRICS_ALLOW"),
        log_level=_log_level(env),
    )


MIN_METRICS_TOKEN_LENGTH = 16


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = _read(env, "METRICS_TOKEN")
    if token is not None and len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ConfigError(
            f"{PREFIX}METRICS_TOKEN is too short: use at least {MIN_METRICS_TOKEN_LENGTH} random "
            "characters (e.g. from `openssl rand -hex 32`)"
        )
    return token


def _networks(
    env: Mapping[str, str], name: str
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or CIDR ranges, e.g. ``10.0.0.0/8, 127.0.0.1``."""
    networks = []
    for item in (_read(env, name) or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip()))
            except ValueError:
                raise ConfigError(
                    f"{PREFIX}{name} must list addresses or CIDR ranges such as 10.0.0.0/8, "
                    f"not {item.strip()!r}"
                ) from None
    return tuple(networks)


def _log_level(env: Mapping[str, str]) -> str:
    level = (_read(env, "LOG_LEVEL") or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(
            f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}"
        )
    return level


def _instruments_dir(env: Mapping[str, str]) -> Path | None:
    """An organisation's own (licensed) survey instruments, besides the shipped one."""
    raw = _read(env, "SURVEY_INSTRUMENTS_DIR")
    if raw is None:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(f"{PREFIX}SURVEY_INSTRUMENTS_DIR is not a directory: {raw}")
    return path


def _queue_name(env: Mapping[str, str]) -> str:
    """The RQ queue the web enqueues on and `intrapreneur worker` listens to."""
    name = _read(env, "JOBS_QUEUE") or "intrapreneur"
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name):
        raise ConfigError(
            f"{PREFIX}JOBS_QUEUE must be 1 to 60 letters, digits, _ or - characters, not {name!r}"
        )
    return name


def _retry_delays(env: Mapping[str, str]) -> tuple[int, ...]:
    """Seconds to wait before each retry of a failed job; their count is the number of retries."""
    raw = _read(env, "JOB_RETRY_DELAYS") or "30,120,600"
    if raw.strip().lower() == "none":
        return ()
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isdigit() for part in parts) or len(parts) > 10:
        raise ConfigError(
            f"{PREFIX}JOB_RETRY_DELAYS must be up to 10 whole numbers of seconds separated by "
            f"commas (e.g. 30,120,600), or none, not {raw!r}"
        )
    return tuple(int(part) for part in parts)


def _hour(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _read(env, name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > 23:
        raise ConfigError(f"{PREFIX}{name} must be an hour from 0 to 23 (UTC), not {raw!r}")
    return int(raw)
