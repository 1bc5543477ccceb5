"""Settings come from INTRAPRENEUR_* variables; production refuses unsafe ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from intrapreneur import settings
from intrapreneur.settings import ConfigError

STRONG_KEY = "k" * 48
PSEUDONYM_KEY = "p" * 48


def _load(tmp_path: Path, **variables: str) -> settings.Settings:
    return settings.load(
        {f"INTRAPRENEUR_{k}": v for k, v in variables.items()}, instance_path=tmp_path
    )


def test_production_is_the_default_and_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="INTRAPRENEUR_SECRET_KEY is not set"):
        _load(tmp_path)


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="too short"):
        _load(tmp_path, SECRET_KEY="changeme")


def test_production_refuses_the_development_sign_in(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DEV_SIGN_IN"):
        _load(tmp_path, SECRET_KEY=STRONG_KEY, DEV_SIGN_IN="true")


@pytest.mark.parametrize(
    ("pseudonym_key", "message"),
    [
        (None, "SURVEY_PSEUDONYM_KEY is not set"),
        ("short", "SURVEY_PSEUDONYM_KEY is too short"),
        (STRONG_KEY, "must differ from INTRAPRENEUR_SECRET_KEY"),
    ],
)
def test_production_needs_its_own_survey_pseudonym_key(
    tmp_path: Path, pseudonym_key: str | None, message: str
) -> None:
    variables = {"SURVEY_PSEUDONYM_KEY": pseudonym_key} if pseudonym_key else {}
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, SECRET_KEY=STRONG_KEY, **variables)


def test_survey_pseudonym_key_can_come_from_a_mounted_file(tmp_path: Path) -> None:
    secret = tmp_path / "pseudonym"
    secret.write_text(PSEUDONYM_KEY + "\n")
    loaded = _load(tmp_path, SECRET_KEY=STRONG_KEY, SURVEY_PSEUDONYM_KEY_FILE=str(secret))
    assert loaded.survey_pseudonym_key == PSEUDONYM_KEY
    assert PSEUDONYM_KEY not in repr(loaded)


def test_development_keeps_a_random_pseudonym_key_in_its_own_file(tmp_path: Path) -> None:
    first = _load(tmp_path, ENV="development")
    second = _load(tmp_path, ENV="development")
    assert first.survey_pseudonym_key == second.survey_pseudonym_key != first.secret_key
    assert (tmp_path / "survey_pseudonym_key").read_text() == first.survey_pseudonym_key
    assert oct((tmp_path / "survey_pseudonym_key").stat().st_mode & 0o777) == "0o600"


def test_production_settings_harden_cookies(tmp_path: Path) -> None:
    config = _load(
        tmp_path, SECRET_KEY=STRONG_KEY, SURVEY_PSEUDONYM_KEY=PSEUDONYM_KEY
    ).flask_config()
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secret_key_can_come_from_a_mounted_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(STRONG_KEY + "\n")
    loaded = _load(tmp_path, SECRET_KEY_FILE=str(secret), SURVEY_PSEUDONYM_KEY=PSEUDONYM_KEY)
    assert loaded.secret_key == STRONG_KEY


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY_FILE cannot be read"):
        _load(tmp_path, SECRET_KEY_FILE=str(tmp_path / "missing"))


def test_development_generates_and_keeps_a_random_key(tmp_path: Path) -> None:
    first = _load(tmp_path, ENV="development").secret_key
    second = _load(tmp_path, ENV="development").secret_key
    other = _load(tmp_path / "other", ENV="development").secret_key
    assert first == second and len(first) == 64
    assert other != first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_default_database_is_an_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    assert (
        _load(tmp_path, ENV="development").database_url
        == f"sqlite:///{tmp_path / 'intrapreneur.db'}"
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ENV": "staging"}, "INTRAPRENEUR_ENV must be one of"),
        (
            {"ENV": "development", "INVITATION_DAYS": "soon"},
            "INVITATION_DAYS must be a whole number",
        ),
        ({"ENV": "development", "PASSWORD_MIN_LENGTH": "0"}, "PASSWORD_MIN_LENGTH must be"),
        ({"ENV": "development", "DEV_SIGN_IN": "perhaps"}, "DEV_SIGN_IN must be true or false"),
        (
            {"ENV": "development", "DEFAULT_TIME_ZONE": "Mars/Olympus"},
            "DEFAULT_TIME_ZONE must be an IANA time zone such as Europe/Berlin, not 'Mars/Olympus'",
        ),
        ({"ENV": "development", "DEFAULT_TIME_ZONE": "../etc/passwd"}, "DEFAULT_TIME_ZONE must"),
    ],
)
def test_bad_values_are_refused_with_their_name(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, **variables)


def test_the_organisation_time_zone_is_london_unless_set(tmp_path: Path) -> None:
    assert _load(tmp_path, ENV="development").default_time_zone == "Europe/London"
    chosen = _load(tmp_path, ENV="development", DEFAULT_TIME_ZONE="America/Chicago")
    assert chosen.flask_config()["DEFAULT_TIME_ZONE"] == "America/Chicago"


def test_the_attribute_map_may_name_a_time_zone_attribute(tmp_path: Path) -> None:
    directory = {"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x"}
    unmapped = _load(tmp_path, ENV="development", **directory).directory
    assert unmapped is not None and unmapped.attributes["time_zone"] == ""  # not read
    mapped = _load(
        tmp_path, ENV="development", LDAP_ATTR_MAP='{"time_zone": "timeZone"}', **directory
    ).directory
    assert mapped is not None and mapped.attributes["time_zone"] == "timeZone"


def test_cli_prints_one_clear_line_when_production_lacks_its_key(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("INTRAPRENEUR_")
    }
    environment["INTRAPRENEUR_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from intrapreneur.cli import cli; cli()", "routes"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "intrapreneur: INTRAPRENEUR_SECRET_KEY is not set: production needs a random value of "
        "at least 32 characters (e.g. from `openssl rand -hex 32`)"
    ]
    assert "Traceback" not in result.stderr


def _example(name: str) -> dict[str, str]:
    path = Path(__file__).parents[2] / "config" / name
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {key: value for key, value in pairs}


@pytest.mark.parametrize("name", ["ldap-openldap.env.example", "ldap-active-directory.env.example"])
def test_directory_examples_are_valid_settings(name: str, tmp_path: Path) -> None:
    variables = {
        **_example("intrapreneur.env.example"),
        **_example(name),
        "INTRAPRENEUR_SECRET_KEY": STRONG_KEY,
        "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "INTRAPRENEUR_INSTANCE_PATH": str(tmp_path),
    }
    variables.pop("INTRAPRENEUR_LDAP_BIND_PASSWORD_FILE", None)
    loaded = settings.load(variables)
    assert loaded.directory is not None
    assert loaded.directory.role_map.keys() == {"hr", "admin", "facilitator", "sponsor"}
    assert loaded.directory.active_directory is (name == "ldap-active-directory.env.example")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"LDAP_URL": "http://ldap"}, "must start with ldap:// or ldaps://"),
        ({"LDAP_URL": "ldap://x"}, "LDAP_USER_BASE is not set"),
        (
            {"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x", "LDAP_USER_FILTER": "(uid=*)"},
            "{username}",
        ),
        ({"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x", "LDAP_ROLE_MAP": "{"}, "not valid JSON"),
        (
            {"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x", "LDAP_ROLE_MAP": '{"guest": []}'},
            "unknown role 'guest'",
        ),
        ({"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x", "LDAP_TIMEOUT": "0"}, "LDAP_TIMEOUT"),
    ],
)
def test_bad_directory_settings_are_refused_with_the_reason(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("{", r"\{").replace("}", r"\}")):
        _load(tmp_path, ENV="development", **variables)


def test_an_instruments_directory_must_exist_and_reaches_the_surveys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SURVEY_INSTRUMENTS_DIR is not a directory"):
        _load(
            tmp_path,
            ENV="development",
            SURVEY_INSTRUMENTS_DIR=str(tmp_path / "missing"),
        )
    loaded = _load(tmp_path, ENV="development", SURVEY_INSTRUMENTS_DIR=str(tmp_path))
    assert loaded.flask_config()["SURVEY_INSTRUMENTS_DIR"] == tmp_path
    assert _load(tmp_path, ENV="development").survey_instruments_dir is None


def test_printing_the_settings_shows_no_secret(tmp_path: Path) -> None:
    loaded = settings.load(
        {
            "INTRAPRENEUR_ENV": "development",
            "INTRAPRENEUR_SECRET_KEY": "k" * 40,
            "INTRAPRENEUR_DATABASE_URL": "postgresql+psycopg://app:db-password-1@db/app",
            "INTRAPRENEUR_REDIS_URL": "redis://:redis-password-2@cache:6379/0",
            "INTRAPRENEUR_METRICS_TOKEN": "metrics-token-3-0123456789",
        },
        instance_path=tmp_path,
    )

    shown = repr(loaded)
    for secret in ("k" * 40, "db-password-1", "redis-password-2", "metrics-token-3"):
        assert secret not in shown


def test_local_mfa_is_optional_unless_required_and_refuses_other_values(tmp_path: Path) -> None:
    assert _load(tmp_path, ENV="test").flask_config()["LOCAL_MFA_REQUIRED"] is False
    required = _load(tmp_path, ENV="test", LOCAL_MFA="Required").flask_config()
    assert required["LOCAL_MFA_REQUIRED"] is True
    with pytest.raises(ConfigError, match="LOCAL_MFA must be required or optional, not 'yes'"):
        _load(tmp_path, ENV="test", LOCAL_MFA="yes")
