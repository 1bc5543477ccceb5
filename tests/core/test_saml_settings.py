"""INTRAPRENEUR_SAML_*: read, checked, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from intrapreneur import settings
from intrapreneur.settings import ConfigError
from tests.core.test_settings import PSEUDONYM_KEY, STRONG_KEY, _example
from tests.identity.saml_idp import key_and_certificate

SAML = {
    "SAML_IDP_METADATA": "https://login.example.com/saml/metadata",
    "SAML_SP_ENTITY_ID": "https://intrapreneur.example.com/sign-in/saml/metadata",
}
DIRECTORY = {"LDAP_URL": "ldap://x", "LDAP_USER_BASE": "o=x"}


def _load(tmp_path: Path, **variables: str) -> settings.Settings:
    return settings.load(
        {f"INTRAPRENEUR_{k}": v for k, v in {"ENV": "development", **variables}.items()},
        instance_path=tmp_path,
    )


def test_without_idp_metadata_there_is_no_saml(tmp_path: Path) -> None:
    loaded = _load(tmp_path)
    assert loaded.saml is None and loaded.flask_config()["SAML"] is None


def test_the_defaults(tmp_path: Path) -> None:
    loaded = _load(tmp_path, **SAML)

    assert loaded.saml is not None
    assert loaded.saml.idp_metadata_url == SAML["SAML_IDP_METADATA"]
    assert loaded.saml.idp_metadata is None and loaded.saml.sp_key is None
    assert loaded.saml.match == "email" and loaded.saml.email_attribute == "email"
    assert loaded.saml.groups_attribute is None
    assert loaded.saml.display_name == "your organisation"
    assert loaded.saml.clock_skew == 60 and loaded.saml.timeout == 10
    assert loaded.password_sign_in is True


def test_metadata_and_keys_from_files_and_the_key_kept_out_of_repr(tmp_path: Path) -> None:
    key, cert = key_and_certificate("sp")
    (tmp_path / "idp.xml").write_text("<EntityDescriptor/>")
    (tmp_path / "sp.key").write_text(key)
    (tmp_path / "sp.crt").write_text(cert)

    loaded = _load(
        tmp_path,
        **{**SAML, "SAML_IDP_METADATA": str(tmp_path / "idp.xml")},
        SAML_SP_KEY_FILE=str(tmp_path / "sp.key"),
        SAML_SP_CERT_FILE=str(tmp_path / "sp.crt"),
        PASSWORD_SIGN_IN="false",
    )

    assert loaded.saml is not None and loaded.saml.idp_metadata == "<EntityDescriptor/>"
    assert loaded.saml.sp_key == key.strip() and loaded.saml.sp_cert == cert.strip()
    assert "PRIVATE" not in repr(loaded)
    assert loaded.password_sign_in is False  # SAML stands in for the directory password


def test_the_entra_example_is_valid(tmp_path: Path) -> None:
    key, cert = key_and_certificate("sp")
    variables = {
        **_example("intrapreneur.env.example"),
        **_example("ldap-active-directory.env.example"),
        **_example("saml-entra-id.env.example"),
        "INTRAPRENEUR_SECRET_KEY": STRONG_KEY,
        "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "INTRAPRENEUR_INSTANCE_PATH": str(tmp_path),
        "INTRAPRENEUR_SAML_SP_KEY": key,
        "INTRAPRENEUR_SAML_SP_CERT": cert,
    }
    for name in (
        "INTRAPRENEUR_LDAP_BIND_PASSWORD_FILE",
        "INTRAPRENEUR_SAML_SP_KEY_FILE",
        "INTRAPRENEUR_SAML_SP_CERT_FILE",
    ):
        variables.pop(name)

    loaded = settings.load(variables)

    assert loaded.saml is not None and loaded.saml.match == "name_id"
    assert loaded.saml.groups_attribute is not None and loaded.oidc is None
    assert loaded.password_sign_in is False


OTHER_KEY = key_and_certificate("other")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({**SAML, "SAML_IDP_METADATA": "http://login.example.com/md"}, "must be an https:// URL"),
        ({**SAML, "SAML_IDP_METADATA": "/nowhere/idp.xml"}, "neither an https:// URL nor a"),
        ({**SAML, "SAML_SP_ENTITY_ID": ""}, "SAML_SP_ENTITY_ID is needed"),
        ({**SAML, "SAML_MATCH": "sub"}, "SAML_MATCH must be one of name_id, email, username"),
        ({**SAML, "SAML_GROUPS_ATTRIBUTE": "groups"}, "needs INTRAPRENEUR_LDAP_ROLE_MAP"),
        (
            {**SAML, **DIRECTORY, "SAML_GROUPS_ATTRIBUTE": "groups"},
            "needs INTRAPRENEUR_LDAP_ROLE_MAP",
        ),
        ({**SAML, "SAML_CLOCK_SKEW": "3600"}, "SAML_CLOCK_SKEW must be a whole number from 0"),
        ({**SAML, "SAML_TIMEOUT": "0"}, "SAML_TIMEOUT must be seconds between 0 and 60"),
        ({**SAML, "SAML_SP_KEY": OTHER_KEY[0]}, "SAML_SP_KEY and INTRAPRENEUR_SAML_SP_CERT go"),
        (
            {**SAML, "SAML_SP_KEY": "not a key", "SAML_SP_CERT": OTHER_KEY[1]},
            "not an unencrypted PEM private key",
        ),
        (
            {**SAML, "SAML_SP_KEY": OTHER_KEY[0], "SAML_SP_CERT": "not a certificate"},
            "SAML_SP_CERT is not a PEM certificate",
        ),
        (
            {**SAML, "SAML_SP_KEY": key_and_certificate("a")[0], "SAML_SP_CERT": OTHER_KEY[1]},
            "is not the certificate of SAML_SP_KEY",
        ),
        (
            {
                **SAML,
                "OIDC_ISSUER": "https://login.example.com",
                "OIDC_CLIENT_ID": "x",
                "OIDC_CLIENT_SECRET": "y",
            },
            "choose one single sign-on",
        ),
    ],
)
def test_bad_saml_settings_are_refused_with_the_reason(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        _load(tmp_path, **variables)
    assert "\n" not in str(refused.value)


def test_plain_http_metadata_is_allowed_from_this_machine_only(tmp_path: Path) -> None:
    loaded = _load(tmp_path, **{**SAML, "SAML_IDP_METADATA": "http://127.0.0.1:8080/md"})
    assert loaded.saml is not None and loaded.saml.idp_metadata_url == "http://127.0.0.1:8080/md"
