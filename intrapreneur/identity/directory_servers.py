"""Connections to the company directory's servers: options, TLS, the service account's
bind, failing over to the next server, and naming what went wrong (a server that is down,
a certificate that is not trusted, an account the directory refuses)."""

from __future__ import annotations

import logging
import re
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import ldap

from intrapreneur.settings import DirectorySettings

log = logging.getLogger(__name__)

# Errors that mean "this server cannot be used right now"; the next URI is tried.
UNREACHABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY)
# Active Directory refuses some binds with the right password because of the account's
# state, and says which in its diagnostic message ("... data 533, v4563"); any other
# refusal (52e and the rest) is a wrong password.
AD_BIND_REFUSALS = {
    "533": "account_disabled",
    "532": "password_expired",
    "701": "account_expired",
    "775": "account_locked",
    "773": "password_change_required",  # "must change password at next logon"
}
_AD_DATA = re.compile(r"\bdata ([0-9a-f]+)\b")


class DirectoryError(Exception):
    """Base of the directory's refusals; ``reason`` is for logs and metrics."""

    reason = "directory_error"


class DirectoryUnavailable(DirectoryError):
    reason = "directory_unavailable"


class CertificateNotTrusted(DirectoryUnavailable):
    """The server answers, but its certificate fails verification: a set-up problem, not an
    outage (the message names the CA setting to check)."""

    reason = "directory_certificate_untrusted"


class InvalidCredentials(DirectoryError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccountRefused(DirectoryError):
    """The password may be right, but the account may not sign in: ``reason`` is one of
    AD_BIND_REFUSALS' values (disabled, password or account expired, locked out, password
    to be changed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def account_refusal(error: ldap.INVALID_CREDENTIALS) -> str | None:
    """The account state behind AD's refusal of a bind, or None for a wrong password."""
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    found = _AD_DATA.search(str(details.get("info", "")))
    return AD_BIND_REFUSALS.get(found.group(1)) if found else None


class Servers:
    """The configured directory servers, tried in order."""

    def __init__(self, settings: DirectorySettings) -> None:
        self.settings = settings

    # -- connections -------------------------------------------------------------------

    def _connect(self, url: str, *, verify: bool = True) -> Any:
        """A connection to ``url``, TLS started where configured, not yet bound."""
        if url.startswith("ldaps://"):
            self._ensure_tls_answers(url)
        connection = ldap.initialize(url)
        seconds = self.settings.timeout
        connection.set_option(ldap.OPT_PROTOCOL_VERSION, ldap.VERSION3)
        # AD answers searches at the domain root with referrals that would hang or leak binds.
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, seconds)
        connection.set_option(ldap.OPT_TIMEOUT, seconds)
        connection.timeout = seconds
        demand = ldap.OPT_X_TLS_DEMAND if verify else ldap.OPT_X_TLS_NEVER
        connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, demand)
        if self.settings.ca_file:
            connection.set_option(ldap.OPT_X_TLS_CACERTFILE, self.settings.ca_file)
        # Apply the TLS options above to this connection only.
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if self._start_tls(url):
            connection.start_tls_s()
        return connection

    def _ensure_tls_answers(self, url: str) -> None:
        """ldap.TIMEOUT unless the ldaps:// server answers a TLS handshake within the timeout.

        libldap's own handshake on ldaps:// waits for ever on a server that accepts the
        connection and then says nothing: OPT_NETWORK_TIMEOUT covers only the TCP connect,
        and OPT_TIMEOUT only operations (StartTLS on ldap:// is one, so it is covered). So
        the handshake is tried here first, within the timeout, with the certificate
        unchecked: this learns only whether the server answers, sends nothing but the TLS
        hello, and libldap then makes its own connection and checks the certificate. A
        server that is refused, resets or is no TLS server is left to libldap to name.
        """
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        deadline = time.monotonic() + self.settings.timeout
        hello_only = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        hello_only.check_hostname = False
        hello_only.verify_mode = ssl.CERT_NONE  # nothing but the hello is sent; libldap verifies
        try:
            with socket.create_connection(
                (host, parts.port or 636), timeout=self.settings.timeout
            ) as raw:
                raw.settimeout(max(deadline - time.monotonic(), 0.001))
                hello_only.wrap_socket(raw, server_hostname=host).close()
        except TimeoutError:
            raise ldap.TIMEOUT(
                {"desc": "the server accepted the connection but did not answer TLS in time"}
            ) from None
        except OSError:  # ssl.SSLError is one too
            return

    def _start_tls(self, url: str) -> bool:
        return self.settings.start_tls and url.startswith("ldap://")

    def _open(self, url: str) -> Any:
        connection = self._connect(url)
        connection.simple_bind_s(self.settings.bind_dn or "", self.settings.bind_password or "")
        return connection

    def _certificate_refused(self, url: str) -> bool:
        """After a failed TLS connection: does the server answer once its certificate goes
        unchecked? Then the certificate is the problem, not the server. Nothing is sent on
        the unchecked connection but StartTLS or an anonymous read of the root entry."""
        if not (url.startswith("ldaps://") or self._start_tls(url)):
            return False
        try:
            connection = self._connect(url, verify=False)
            if url.startswith("ldaps://"):  # the handshake happens at the first operation
                connection.search_s("", ldap.SCOPE_BASE, "(objectClass=*)", ["1.1"])
        except ValueError:
            return True  # libldap could not load the CA file at all
        except UNREACHABLE:
            return False
        except ldap.LDAPError:
            return True  # it answered over TLS (and refused the read)
        connection.unbind_s()
        return True

    def _certificate_problem(self, url: str) -> str:
        ca_file = self.settings.ca_file or "unset, so the system's CA store"
        return (
            f"{url}: the server's certificate is not trusted; check that "
            f"INTRAPRENEUR_LDAP_CA_FILE ({ca_file}) holds the CA that signed it and that it "
            "names the host in INTRAPRENEUR_LDAP_URL"
        )

    @contextmanager
    def service_connection(self) -> Iterator[Any]:
        """A connection bound as the service account, to the first server that answers."""
        problems, untrusted = [], False
        for url in self.settings.urls:
            try:
                connection = self._open(url)
            except ldap.INVALID_CREDENTIALS:
                log.error("directory service account was refused by %s", url)
                raise DirectoryUnavailable("the service account was refused") from None
            except (ldap.LDAPError, ValueError) as error:  # ValueError: an unreadable CA file
                if not isinstance(error, ldap.TIMEOUT) and self._certificate_refused(url):
                    untrusted = True
                    problems.append(self._certificate_problem(url))
                else:
                    problems.append(f"{url}: {type(error).__name__}")
                continue
            try:
                yield connection
            except UNREACHABLE as error:
                raise DirectoryUnavailable(f"{url}: {type(error).__name__}") from None
            finally:
                connection.unbind_s()
            return
        log.warning("no directory server could be used: %s", "; ".join(problems))
        if untrusted:
            raise CertificateNotTrusted("; ".join(problems))
        raise DirectoryUnavailable("; ".join(problems))
