"""The application's keys: the secret key and the survey pseudonym key.

Production refuses to start without them; development keeps a random key of each in the
instance folder. There is deliberately no default key in the code.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from intrapreneur.settings.reading import PREFIX, ConfigError, read

MIN_SECRET_KEY_LENGTH = 32


def secret_key(env: Mapping[str, str], name: str, instance_path: Path) -> str:
    key = read(env, "SECRET_KEY")
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
    return _development_key(instance_path)


def secret_key_fallbacks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Earlier secret keys, comma-separated, still accepted (never used to sign): after a
    rotation, sessions, links and authenticator keys made with them keep working."""
    keys = tuple(key.strip() for key in (read(env, "SECRET_KEY_FALLBACKS") or "").split(","))
    keys = tuple(key for key in keys if key)
    if name == "production" and any(len(key) < MIN_SECRET_KEY_LENGTH for key in keys):
        raise ConfigError(
            f"{PREFIX}SECRET_KEY_FALLBACKS holds a key shorter than {MIN_SECRET_KEY_LENGTH} "
            "characters: list only earlier values of the secret key, separated by commas"
        )
    return keys


def survey_pseudonym_key(env: Mapping[str, str], name: str, instance_path: Path) -> str:
    """The key of survey pseudonyms; kept out of the database so a dump cannot name anyone."""
    key = read(env, "SURVEY_PSEUDONYM_KEY")
    if name == "production":
        if not key or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"{PREFIX}SURVEY_PSEUDONYM_KEY is {'too short' if key else 'not set'}: production "
                f"needs a random value of at least {MIN_SECRET_KEY_LENGTH} characters, kept apart "
                "from the database and never changed (e.g. from `openssl rand -hex 32`)"
            )
        if key == read(env, "SECRET_KEY"):
            raise ConfigError(
                f"{PREFIX}SURVEY_PSEUDONYM_KEY must differ from {PREFIX}SECRET_KEY: the secret key "
                "may be rotated, the pseudonym key never"
            )
        return key
    return key or _development_key(instance_path, "survey_pseudonym_key")


def _development_key(instance_path: Path, file_name: str = "secret_key") -> str:
    """A random key kept in the instance folder, so dev sessions survive restarts."""
    path = instance_path / file_name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key
