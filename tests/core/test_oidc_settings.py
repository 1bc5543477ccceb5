"""INTRAPRENEUR_OIDC_* and INTRAPRENEUR_PASSWORD_SIGN_IN: read, checked, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from intrapreneur import settings
from intrapreneur.settings import ConfigError
from tests.core.test_settings import PSEUDONYM_KEY, STRONG_KEY, _example

OIDC = {
    "OIDC_ISSUER": "https://login.example.com/realms/corp",
    "OIDC_CLIENT_ID": "intrapreneur",
    "OIDC_CLIENT_SECRET": "s3cret",
}
DIRECTORY = {"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x"}


def _load(tmp_path: Path, **variables: str) -> settings.Settings:
    return settings.load(
        {f"INTRAPRENEUR_{k}": v for k, v in {"ENV": "development", **variables}.items()},
        instance_path=tmp_path,
    )


def test_without_an_issuer_there_is_no_single_sign_on_and_passwords_stay(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    assert loaded.oidc is None and loaded.password_sign_in is True
    assert loaded.flask_config()["OIDC"] is None


def test_the_defaults_and_the_secret_kept_out_of_repr(tmp_path: Path) -> None:
    loaded = _load(tmp_path, **OIDC)

    assert loaded.oidc is not None
    assert loaded.oidc.scopes == "openid email profile"
    assert loaded.oidc.match_claim == "email" and loaded.oidc.groups_claim is None
    assert loaded.oidc.display_name == "your organisation" and loaded.oidc.timeout == 10
    assert loaded.oidc.discovery_url == (
        "https://login.example.com/realms/corp/.well-known/openid-configuration"
    )
    assert "s3cret" not in repr(loaded)


def test_the_entra_example_is_valid(tmp_path: Path) -> None:
    variables = {
        **_example("intrapreneur.env.example"),
        **_example("ldap-active-directory.env.example"),
        **_example("oidc-entra-id.env.example"),
        "INTRAPRENEUR_SECRET_KEY": STRONG_KEY,
        "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "INTRAPRENEUR_INSTANCE_PATH": str(tmp_path),
        "INTRAPRENEUR_OIDC_CLIENT_SECRET": "from-a-file-in-production",
    }
    for name in ("INTRAPRENEUR_LDAP_BIND_PASSWORD_FILE", "INTRAPRENEUR_OIDC_CLIENT_SECRET_FILE"):
        variables.pop(name)

    loaded = settings.load(variables)

    assert loaded.oidc is not None and loaded.oidc.match_claim == "oid"
    assert loaded.password_sign_in is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({**OIDC, "OIDC_ISSUER": "http://login.example.com"}, "must be an https:// URL"),
        ({**OIDC, "OIDC_ISSUER": "login.example.com"}, "must be an https:// URL"),
        ({**OIDC, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_ID and INTRAPRENEUR_OIDC_CLIENT_SECRET"),
        ({**OIDC, "OIDC_SCOPES": "email profile"}, "must include openid"),
        ({**OIDC, "OIDC_MATCH_CLAIM": "name"}, "OIDC_MATCH_CLAIM must be one of sub, oid"),
        ({**OIDC, "OIDC_GROUPS_CLAIM": "groups"}, "needs INTRAPRENEUR_LDAP_ROLE_MAP"),
        ({**OIDC, **DIRECTORY, "OIDC_GROUPS_CLAIM": "groups"}, "needs INTRAPRENEUR_LDAP_ROLE_MAP"),
        ({**OIDC, "OIDC_TIMEOUT": "0"}, "OIDC_TIMEOUT must be seconds between 0 and 60"),
        ({**OIDC, "OIDC_TIMEOUT": "soon"}, "OIDC_TIMEOUT"),
        ({**OIDC, "PASSWORD_SIGN_IN": "maybe"}, "must be true or false"),
        (
            {"PASSWORD_SIGN_IN": "false"},
            "needs INTRAPRENEUR_OIDC_ISSUER or INTRAPRENEUR_SAML_IDP_METADATA",
        ),
    ],
)
def test_bad_oidc_settings_are_refused_with_the_reason(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        _load(tmp_path, **variables)
    assert "\n" not in str(refused.value)


def test_plain_http_is_allowed_for_a_provider_on_this_machine_only(tmp_path: Path) -> None:
    loaded = _load(tmp_path, **{**OIDC, "OIDC_ISSUER": "http://127.0.0.1:8080"})
    assert loaded.oidc is not None and loaded.oidc.issuer == "http://127.0.0.1:8080"
