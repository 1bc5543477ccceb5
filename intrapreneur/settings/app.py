"""The application's settings as a whole, read and checked by ``load``.

Every setting has one place in this package (``directory``, ``mail``, ``keys``, ``jobs``,
``monitoring``, ``connections``, ``backup``; ``reading`` holds the readers and their errors);
the README's configuration table lists the same names. Production refuses to start on unsafe
or missing values instead of falling back to something insecure.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from intrapreneur.core.i18n import LANGUAGE_NAMES, SOURCE_LOCALE
from intrapreneur.core.timezones import DEFAULT_ZONE, is_zone_name
from intrapreneur.settings import api, backup, jobs, keys, monitoring
from intrapreneur.settings.connections import engine_options, redis_timeouts
from intrapreneur.settings.directory import DirectorySettings, load_directory
from intrapreneur.settings.mail import MailSettings, base_url, load_mail
from intrapreneur.settings.oidc import OidcSettings, load_oidc, password_sign_in
from intrapreneur.settings.reading import (
    PREFIX,
    ConfigError,
    flag,
    hour,
    networks,
    read,
    share,
    whole_number,
)
from intrapreneur.settings.saml import SamlSettings, load_saml

ENVIRONMENTS = ("production", "development", "test")


@dataclass(frozen=True)
class Settings:
    env: str
    # Secrets (the URLs may carry passwords): kept out of repr, so printing settings shows none.
    secret_key: str = field(repr=False)
    secret_key_fallbacks: tuple[str, ...] = field(repr=False)
    database_url: str = field(repr=False)
    redis_url: str | None = field(repr=False)
    directory: DirectorySettings | None
    break_glass_admin: bool
    local_mfa_required: bool
    session_idle_minutes: int
    session_max_hours: int
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
    review_overdue_days: int
    default_time_zone: str
    default_locale: str
    survey_pseudonym_key: str = field(repr=False)
    mail: MailSettings | None = None
    base_url: str | None = None
    metrics_token: str | None = field(repr=False, default=None)
    oidc: OidcSettings | None = None
    saml: SamlSettings | None = None
    password_sign_in: bool = True
    api_token_days: tuple[int, int] = (90, 365)  # offered on the form, longest allowed
    syslog: monitoring.SyslogSettings | None = None
    backup_recipients: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, object]:
        """The Flask config keys these settings turn into."""
        return {
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "SECRET_KEY_FALLBACKS": list(self.secret_key_fallbacks),
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "REDIS_URL": self.redis_url,
            "DIRECTORY": self.directory,
            "OIDC": self.oidc,
            "SAML": self.saml,
            "PASSWORD_SIGN_IN": self.password_sign_in,
            "API_TOKEN_DAYS": self.api_token_days[0],
            "API_TOKEN_MAX_DAYS": self.api_token_days[1],
            "SYSLOG": self.syslog,
            "BACKUP_RECIPIENTS": self.backup_recipients,
            "BREAK_GLASS_ADMIN": self.break_glass_admin,
            "LOCAL_MFA_REQUIRED": self.local_mfa_required,
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
            "RATELIMIT_STORAGE_OPTIONS": redis_timeouts() if self.redis_url else {},
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
            "REVIEW_OVERDUE_DAYS": self.review_overdue_days,
            "DEFAULT_TIME_ZONE": self.default_time_zone,
            "DEFAULT_LOCALE": self.default_locale,
            # Large enough for any form, small enough that nobody can fill memory.
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.is_production,
            # The cookie is signed again on every request, and Flask refuses one whose
            # signature is older than this: the idle lifetime, enforced by the server.
            "PERMANENT_SESSION_LIFETIME": self.session_idle_minutes * 60,
            "SESSION_MAX_HOURS": self.session_max_hours,
            "WTF_CSRF_TIME_LIMIT": None,
        }


def _instruments_dir(env: Mapping[str, str]) -> Path | None:
    """An organisation's own (licensed) survey instruments, besides the shipped one."""
    raw = read(env, "SURVEY_INSTRUMENTS_DIR")
    if raw is None:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(f"{PREFIX}SURVEY_INSTRUMENTS_DIR is not a directory: {raw}")
    return path


def _local_mfa_required(env: Mapping[str, str]) -> bool:
    """Whether every local account (guests, break-glass) must use an authenticator app."""
    value = (read(env, "LOCAL_MFA") or "optional").lower()
    if value not in ("required", "optional"):
        raise ConfigError(f"{PREFIX}LOCAL_MFA must be required or optional, not {value!r}")
    return value == "required"


def _session_lifetimes(env: Mapping[str, str]) -> tuple[int, int]:
    """Idle minutes and absolute hours of a session; idle cannot outlast absolute."""
    idle = whole_number(env, "SESSION_IDLE_MINUTES", 8 * 60, maximum=7 * 24 * 60)
    most = whole_number(env, "SESSION_MAX_HOURS", 12, maximum=30 * 24)
    if idle > most * 60:
        raise ConfigError(
            f"{PREFIX}SESSION_IDLE_MINUTES ({idle}) is longer than {PREFIX}SESSION_MAX_HOURS "
            f"({most} hours): a session ends after the shorter of the two anyway"
        )
    return idle, most


def _default_time_zone(env: Mapping[str, str]) -> str:
    """The zone of everyone who chose none and has none in the directory."""
    name = read(env, "DEFAULT_TIME_ZONE") or DEFAULT_ZONE
    if not is_zone_name(name):
        raise ConfigError(
            f"{PREFIX}DEFAULT_TIME_ZONE must be an IANA time zone such as Europe/Berlin, "
            f"not {name!r}"
        )
    return name


def _default_locale(env: Mapping[str, str]) -> str:
    """The language of everyone whose profile, directory entry and browser name no shipped one."""
    name = read(env, "DEFAULT_LOCALE") or SOURCE_LOCALE
    if name not in LANGUAGE_NAMES:
        raise ConfigError(
            f"{PREFIX}DEFAULT_LOCALE must be one of {', '.join(LANGUAGE_NAMES)}, not {name!r}"
        )
    return name


def load(environ: Mapping[str, str] | None = None, instance_path: Path | None = None) -> Settings:
    """Read and check every setting; raise ConfigError with one clear line."""
    env = os.environ if environ is None else environ
    name = (read(env, "ENV") or "production").lower()
    if name not in ENVIRONMENTS:
        raise ConfigError(f"{PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    instance = Path(read(env, "INSTANCE_PATH") or instance_path or Path.cwd() / "instance")
    dev_sign_in = flag(env, "DEV_SIGN_IN")
    if dev_sign_in and name == "production":
        raise ConfigError(
            f"{PREFIX}DEV_SIGN_IN is a development-only sign-in and cannot be enabled in production"
        )
    idle_minutes, max_hours = _session_lifetimes(env)
    directory = load_directory(env)
    oidc = load_oidc(env, directory)
    saml = load_saml(env, directory)
    return Settings(
        env=name,
        secret_key=keys.secret_key(env, name, instance),
        secret_key_fallbacks=keys.secret_key_fallbacks(env, name),
        database_url=read(env, "DATABASE_URL") or f"sqlite:///{instance / 'intrapreneur.db'}",
        redis_url=read(env, "REDIS_URL"),
        directory=directory,
        oidc=oidc,
        saml=saml,
        password_sign_in=password_sign_in(env, oidc is not None or saml is not None),
        # Local admin sign-in while the directory is down: on in development, opt-in in production.
        break_glass_admin=flag(env, "BREAK_GLASS_ADMIN") or name != "production",
        local_mfa_required=_local_mfa_required(env),
        session_idle_minutes=idle_minutes,
        session_max_hours=max_hours,
        sync_max_deactivate_share=share(env, "SYNC_MAX_DEACTIVATE_SHARE", 0.1),
        dev_sign_in=dev_sign_in,
        invitation_days=whole_number(env, "INVITATION_DAYS", 14),
        guest_access_days=whole_number(env, "GUEST_ACCESS_DAYS", 180),
        password_min_length=whole_number(env, "PASSWORD_MIN_LENGTH", 12),
        login_rate_limit=read(env, "LOGIN_RATE_LIMIT") or "10 per minute",
        trusted_proxies=whole_number(env, "TRUSTED_PROXIES", 0, minimum=0),
        instance_path=instance,
        survey_instruments_dir=_instruments_dir(env),
        jobs_queue=jobs.queue_name(env),
        job_retry_delays=jobs.retry_delays(env),
        directory_sync_hour=hour(env, "DIRECTORY_SYNC_HOUR", 2),
        reminders_hour=hour(env, "REMINDERS_HOUR", 7),
        review_overdue_days=whole_number(env, "REVIEW_OVERDUE_DAYS", 5, maximum=365),
        default_time_zone=_default_time_zone(env),
        default_locale=_default_locale(env),
        survey_pseudonym_key=keys.survey_pseudonym_key(env, name, instance),
        mail=load_mail(env),
        base_url=base_url(env),
        metrics_token=monitoring.metrics_token(env),
        metrics_allow=networks(env, "METRICS_ALLOW"),
        log_level=monitoring.log_level(env),
        syslog=monitoring.syslog(env),
        api_token_days=api.token_days(env),
        backup_recipients=backup.recipients(env),
    )
