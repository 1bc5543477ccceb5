"""A directory server that accepts the connection and then never answers (a hung server, a
firewall that lets the handshake through and drops the rest) is reported as down within
INTRAPRENEUR_LDAP_TIMEOUT over ldap://, StartTLS and ldaps:// alike. Before the TLS check in
directory_servers.py, libldap's TLS handshake on ldaps:// waited for ever. A real LDAPS
server still signs in through that check: tests/ad/test_ad_sign_in.py (Samba's LDAPS)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intrapreneur.identity.directory import CertificateNotTrusted, Directory, DirectoryUnavailable
from intrapreneur.settings import DirectorySettings
from tests.conftest import ldap_password, submit_sign_in

TIMEOUT = 1
# What the check allows: the timeout, and the seconds a busy machine (CI under load) may add.
# Without it the ldaps:// attempts never end; the thread below turns that into a failure.
BOUND = 10

SILENT = {
    "ldaps://": ("ldaps", {}),
    "ldap:// with StartTLS": ("ldap", {"LDAP_START_TLS": "true"}),
    "ldap://": ("ldap", {}),
}


def _within(seconds: float, app: Flask, work: Callable[[], Any]) -> tuple[Any, float]:
    """``work``'s outcome (what it returned or raised) and how long it took; fails when it is
    still waiting after ``seconds`` rather than hang the suite."""
    outcome: list[Any] = []

    def run() -> None:
        with app.app_context():
            try:
                outcome.append(work())
            except Exception as error:
                outcome.append(error)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still waiting for the directory after {seconds} s"
    return outcome[0], time.monotonic() - started


@pytest.mark.parametrize("kind", SILENT)
def test_a_silent_server_is_down_within_the_timeout(
    app: Flask,
    use_directory: Callable[..., DirectorySettings],
    silent_server: int,
    kind: str,
) -> None:
    scheme, extra = SILENT[kind]
    directory = Directory(
        use_directory(
            LDAP_URL=f"{scheme}://127.0.0.1:{silent_server}", LDAP_TIMEOUT=str(TIMEOUT), **extra
        )
    )

    refused, took = _within(BOUND, app, lambda: directory.authenticate("alice", "a-password"))

    assert isinstance(refused, DirectoryUnavailable)
    # Silence is an outage, not a certificate to check: the admin is sent the right way.
    assert not isinstance(refused, CertificateNotTrusted)
    assert "TIMEOUT" in str(refused)
    assert took >= TIMEOUT * 0.9  # it did wait for the server, as long as it was told


def test_a_silent_ldaps_server_fails_over_to_the_next(
    app: Flask,
    use_directory: Callable[..., DirectorySettings],
    silent_server: int,
    ldap_server: Any,
) -> None:
    directory = Directory(
        use_directory(
            LDAP_URL=f"ldaps://127.0.0.1:{silent_server} {ldap_server.ldap_uri}",
            LDAP_TIMEOUT=str(TIMEOUT),
        )
    )

    person, _ = _within(BOUND, app, lambda: directory.authenticate("bob", ldap_password("bob")))

    assert getattr(person, "username", person) == "bob"


def test_the_sign_in_page_says_the_directory_is_not_reachable(
    app: Flask,
    client: FlaskClient,
    use_directory: Callable[..., DirectorySettings],
    silent_server: int,
) -> None:
    use_directory(LDAP_URL=f"ldaps://127.0.0.1:{silent_server}", LDAP_TIMEOUT=str(TIMEOUT))

    response, _ = _within(
        BOUND, app, lambda: submit_sign_in(client, "alice", ldap_password("alice"))
    )

    assert response.status_code == 503
    assert "The company directory is not reachable right now" in response.get_data(as_text=True)
