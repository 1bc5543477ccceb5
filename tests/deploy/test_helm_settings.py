"""Every setting the app reads is offered by the Helm chart, or listed here as deliberately
not; and the chart keeps each secret setting in its Secret, never in its ConfigMap."""

from __future__ import annotations

import ast
import base64
import re
from pathlib import Path
from typing import Any

from intrapreneur import settings
from tests.deploy.test_helm_chart import (
    CHART,
    EVERYTHING_ON,
    FULLNAME,
    MINIMUM,
    REPO,
    _merged,
    error_of,
    find,
    render,
)

SETTINGS_MODULES = sorted((REPO / "intrapreneur" / "settings").glob("*.py"))

# Settings the app reads that the chart deliberately does not offer, and why. A new setting
# goes into the chart (values.yaml, templates/_helpers.tpl, values.schema.json,
# docs/deploy.md) or, with its reason, here.
NOT_IN_THE_CHART = {
    # A development-only sign-in: the app refuses it in production, which the chart runs.
    "DEV_SIGN_IN",
    # The pods' filesystem is read-only but /tmp, and a production instance keeps nothing
    # there: its keys come from the Secret and its database is PostgreSQL.
    "INSTANCE_PATH",
    # Hours of `intrapreneur scheduler`'s in-process schedule; the chart runs the scheduled
    # work as CronJobs with schedules of their own (scheduler.*.schedule).
    "DIRECTORY_SYNC_HOUR",
    "REMINDERS_HOUR",
    # The chart runs no backup job: `intrapreneur backup` runs where an operator starts it,
    # with the public keys given there (--recipient, or this variable in that shell).
    "BACKUP_RECIPIENTS",
}

# Settings that hold a secret: only ever in the Secret.
SECRET_SETTINGS = {
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "SURVEY_PSEUDONYM_KEY",
    "DATABASE_URL",
    "LDAP_BIND_PASSWORD",
    "SMTP_URL",
    "METRICS_TOKEN",
    "OIDC_CLIENT_SECRET",
}


def _read_in(source: str) -> set[str]:
    """The names of the settings read in ``source``: every reader is called as
    ``reader(env, "NAME", …)`` (settings/reading.py)."""
    return {
        node.args[1].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and len(node.args) >= 2
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "env"
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    }


def _settings_read() -> set[str]:
    return set().union(*(_read_in(module.read_text()) for module in SETTINGS_MODULES))


def _offered_by_the_chart() -> set[str]:
    """The settings the chart's ConfigMap and Secret are made of."""
    helpers = (CHART / "templates" / "_helpers.tpl").read_text()
    return set(re.findall(r'"INTRAPRENEUR_([A-Z0-9_]+)"', helpers))


class _Recording(dict[str, str]):
    """An environment that notes every variable the app asks it for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)


def _chart_environment() -> dict[str, str]:
    """The pods' environment with every optional part of the chart on."""
    manifests = render(EVERYTHING_ON)
    environment = dict(find(manifests, "ConfigMap", FULLNAME)["data"])
    secret = find(manifests, "Secret", FULLNAME)["data"]
    return environment | {name: base64.b64decode(value).decode() for name, value in secret.items()}


def test_the_scan_finds_every_setting_the_app_asks_for(tmp_path: Path) -> None:
    """What the scan below relies on: loading the settings asks for no variable that the
    scan of settings/ does not find (the chart's whole environment, so OIDC and LDAP too)."""
    environment = _Recording(_chart_environment())

    settings.load(environment, instance_path=tmp_path)

    names = {name.removeprefix(settings.PREFIX) for name in environment.asked}
    # Each setting is asked for as NAME_FILE first (a mounted file), then as NAME.
    asked = {name for name in names if not (name.endswith("_FILE") and name[:-5] in names)}
    assert {"OIDC_CLIENT_SECRET", "LDAP_CA_FILE", "SESSION_MAX_HOURS"} <= asked
    assert asked <= _settings_read()


def test_every_setting_is_in_the_chart_or_deliberately_not() -> None:
    read = _settings_read()
    offered = _offered_by_the_chart()

    missing = sorted(read - offered - NOT_IN_THE_CHART)
    assert not missing, (
        f"settings the Helm chart does not offer: {missing}; add them to helm/intrapreneur "
        "(values.yaml, templates/_helpers.tpl, values.schema.json, docs/deploy.md) or, with "
        "the reason, to NOT_IN_THE_CHART"
    )
    assert not NOT_IN_THE_CHART & offered, "listed as not in the chart, yet offered by it"
    assert read >= NOT_IN_THE_CHART, "listed as not in the chart, yet no longer read"


def test_a_setting_missing_from_the_chart_is_noticed() -> None:
    """The scan would catch a new reader, whatever its kind (flag, number, text)."""
    source = 'flag(env, "SHINY_NEW")\nwhole_number(env, "OTHER", 3)\nread(environ, "NOT_ENV")'
    assert _read_in(source) == {"SHINY_NEW", "OTHER"}


def test_secret_settings_go_to_the_secret_only() -> None:
    manifests = render(EVERYTHING_ON)
    config = set(find(manifests, "ConfigMap", FULLNAME)["data"])
    secret = set(find(manifests, "Secret", FULLNAME)["data"])

    assert not {f"{settings.PREFIX}{name}" for name in SECRET_SETTINGS} & config
    assert {"INTRAPRENEUR_OIDC_CLIENT_SECRET", "INTRAPRENEUR_SECRET_KEY_FALLBACKS"} <= secret
    assert {"INTRAPRENEUR_OIDC_ISSUER", "INTRAPRENEUR_OIDC_CLIENT_ID"} <= config


def test_several_earlier_keys_are_joined_with_commas() -> None:
    earlier = ["a" * 32, "b" * 40]
    manifests = render(_merged(MINIMUM, {"secrets": {"secretKeyFallbacks": earlier}}))

    secret = find(manifests, "Secret", FULLNAME)["data"]
    joined = base64.b64decode(secret["INTRAPRENEUR_SECRET_KEY_FALLBACKS"]).decode()
    assert joined == ",".join(earlier)


def test_unset_values_leave_the_app_defaults() -> None:
    """Nothing is written for a value left empty (password sign-in on, MFA optional)."""
    manifests = render(MINIMUM)

    config = find(manifests, "ConfigMap", FULLNAME)["data"]
    secret = find(manifests, "Secret", FULLNAME)["data"]
    assert not [name for name in config if "OIDC" in name or "SESSION" in name]
    assert "INTRAPRENEUR_PASSWORD_SIGN_IN" not in config
    assert "INTRAPRENEUR_LOCAL_MFA" not in config
    assert "INTRAPRENEUR_SECRET_KEY_FALLBACKS" not in secret


def test_with_an_existing_secret_the_oidc_client_secret_is_in_it() -> None:
    oidc = {"issuer": "https://login.example.com", "clientId": "intrapreneur"}
    manifests = render({"existingSecret": "intrapreneur-prod", "oidc": oidc})

    config = find(manifests, "ConfigMap", FULLNAME)["data"]
    assert config["INTRAPRENEUR_OIDC_ISSUER"] == "https://login.example.com"
    assert "oidc.clientId is required" in error_of(
        {"existingSecret": "intrapreneur-prod", "oidc": {"issuer": "https://login.example.com"}}
    )
