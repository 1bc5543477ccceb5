"""A throwaway Samba Active Directory domain controller on a loopback address.

Samba implements AD's LDAP: objectGUID, userAccountControl, the in-chain matching rule,
fine-grained password policies and AD's bind diagnostics (``data 533`` and friends), so the
directory code's Active Directory paths are tested against the real behaviour rather than an
imitation (/work/shared/design/SAMBA-AD.md has the measured facts this follows).

The DC is provisioned into a temporary directory, serves LDAP only (``server services =
ldap``) on a random ``127.x.y.z`` address with a certificate from its own small CA, and runs
as one process whose stdin is a pipe: it stops when the pipe closes, so also when the test
process dies.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ldap
import ldap.modlist

REALM = "CORP.TEST"
DOMAIN = "CORP"
SUFFIX = "DC=corp,DC=test"
ADMIN_PASSWORD = "Domain-Admin-Pass-1!"
AD_PORTS = (389, 636, 3268, 3269)
SAMBA_MISSING = "samba is not installed (`make test` installs samba and samba-ad-provision)"
START_SECONDS = 60
# userAccountControl flags (MS-ADTS 2.2.16).
NORMAL_ACCOUNT = 0x200
ACCOUNT_DISABLED = 0x2
# accountExpires counts 100 ns steps since 1601; 1 is long past.
LONG_AGO = "1"
TWELVE_YEARS_AGO = "130000000000000000"  # a pwdLastSet in 2012, in the same 100 ns steps


def samba_binary() -> str | None:
    return shutil.which("samba", path=os.environ.get("PATH", "") + ":/usr/sbin")


def _samba_python() -> str:
    """The interpreter Samba's own Python modules (ldb, samba) belong to: samba-tool's."""
    tool = shutil.which("samba-tool") or "/usr/bin/samba-tool"
    first_line = Path(tool).read_text().splitlines()[0]
    return first_line.removeprefix("#!").split()[0]


def _free_loopback_address() -> str:
    """A random 127.x.y.z on which AD's ports are all free (Linux answers all of 127/8)."""
    for _ in range(50):
        address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        try:
            for port in AD_PORTS:
                with socket.socket() as probe:
                    probe.bind((address, port))
        except OSError:
            continue
        return address
    raise RuntimeError("no loopback address with AD's ports free")


def _run(*command: str | Path, cwd: Path) -> None:
    subprocess.run(
        [str(part) for part in command], cwd=cwd, check=True, capture_output=True, text=True
    )


def make_certificate_authority(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA (certificate, key) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, key = directory / "ca.pem", directory / "ca.key"
    _run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", key, "-out", certificate, "-subj", f"/CN={name}",
        cwd=directory,
    )  # fmt: skip
    return certificate, key


def _server_certificate(directory: Path, address: str, ca: tuple[Path, Path]) -> tuple[Path, Path]:
    """The DC's certificate, naming its IP address (libldap checks the URL's host)."""
    certificate, key, request = directory / "dc.pem", directory / "dc.key", directory / "dc.csr"
    extensions = directory / "dc.ext"
    extensions.write_text(f"subjectAltName=IP:{address},DNS:dc1.corp.test\n")
    _run(
        "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request,
        "-subj", "/CN=dc1.corp.test",
        cwd=directory,
    )  # fmt: skip
    _run(
        "openssl", "x509", "-req", "-in", request, "-CA", ca[0], "-CAkey", ca[1],
        "-CAcreateserial", "-days", "2", "-out", certificate, "-extfile", extensions,
        cwd=directory,
    )  # fmt: skip
    key.chmod(0o600)  # Samba refuses a key others may read
    return certificate, key


def _unicode_password(password: str) -> bytes:
    """AD's write-only password attribute: the quoted password in UTF-16-LE."""
    return f'"{password}"'.encode("utf-16-le")


@dataclass
class SambaDomainController:
    """One DC: ``start()`` provisions and runs it, ``stop()`` ends it."""

    root: Path

    def __post_init__(self) -> None:
        self.address = _free_loopback_address()
        self.ldaps_uri = f"ldaps://{self.address}"
        self.ldap_uri = f"ldap://{self.address}"
        self.private = self.root / "dc"
        self.process: subprocess.Popen[bytes] | None = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        binary = samba_binary()
        if binary is None:
            raise RuntimeError(SAMBA_MISSING)
        self.ca_file, ca_key = make_certificate_authority(self.root / "ca", "Test AD CA")
        certificate, key = _server_certificate(self.root, self.address, (self.ca_file, ca_key))
        self._provision()
        config = self._write_run_config(certificate, key)
        self.log = self.root / "samba.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [binary, "-i", "-M", "single", "--maximum-runtime=7200", "-s", str(config)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_serving()

    def stop(self) -> None:
        if self.process is None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _provision(self) -> None:
        empty = self.root / "empty.conf"
        empty.write_text("")  # keeps the machine's /etc/samba/smb.conf out
        _run(
            "samba-tool", "domain", "provision", "-s", empty, f"--realm={REALM}",
            f"--domain={DOMAIN}", "--server-role=dc", "--dns-backend=NONE", "--host-name=dc1",
            f"--adminpass={ADMIN_PASSWORD}", f"--targetdir={self.private}",
            f"--option=interfaces={self.address}/8", "--option=bind interfaces only=yes",
            cwd=self.root,
        )  # fmt: skip

    def _write_run_config(self, certificate: Path, key: Path) -> Path:
        config = self.root / "run.conf"
        private = self.private
        config.write_text(
            f"""[global]
    netbios name = DC1
    realm = {REALM}
    workgroup = {DOMAIN}
    server role = active directory domain controller
    server services = ldap
    interfaces = {self.address}/8
    bind interfaces only = yes
    private dir = {private}/private
    lock directory = {private}
    state directory = {private}/state
    cache directory = {private}/cache
    pid directory = {private}
    ncalrpc dir = {private}/ncalrpc
    binddns dir = {private}/bind-dns
    tls enabled = yes
    tls keyfile = {key}
    tls certfile = {certificate}
    tls cafile = {self.ca_file}
"""
        )
        return config

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"samba stopped at start: {self.log.read_text()[-2000:]}")
            try:
                self.admin_connection().unbind_s()
                return
            except ldap.LDAPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # -- writing entries -------------------------------------------------------------------

    def connection(self, dn: str, password: str) -> Any:
        """A connection over LDAPS bound as ``dn`` (raises INVALID_CREDENTIALS as AD does)."""
        connection = ldap.initialize(self.ldaps_uri)
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 5)
        connection.set_option(ldap.OPT_X_TLS_CACERTFILE, str(self.ca_file))
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        connection.simple_bind_s(dn, password)
        return connection

    def admin_connection(self) -> Any:
        return self.connection(f"Administrator@{REALM.lower()}", ADMIN_PASSWORD)

    def add(self, dn: str, attributes: dict[str, list[bytes]]) -> str:
        connection = self.admin_connection()
        try:
            connection.add_s(dn, ldap.modlist.addModlist(attributes))
        finally:
            connection.unbind_s()
        return dn

    def modify(self, dn: str, changes: list[tuple[int, str, list[bytes] | None]]) -> None:
        connection = self.admin_connection()
        try:
            connection.modify_s(dn, changes)
        finally:
            connection.unbind_s()

    def rename(self, dn: str, new_rdn: str) -> None:
        connection = self.admin_connection()
        try:
            connection.rename_s(dn, new_rdn)
        finally:
            connection.unbind_s()

    def add_organisational_unit(self, name: str) -> str:
        return self.add(f"OU={name},{SUFFIX}", {"objectClass": [b"organizationalUnit"]})

    def add_user(
        self,
        name: str,
        container: str,
        password: str,
        *,
        disabled: bool = False,
        **attributes: str,
    ) -> str:
        """A person account; ``attributes`` are further AD attributes (mail, department …)."""
        control = NORMAL_ACCOUNT | (ACCOUNT_DISABLED if disabled else 0)
        values = {
            "objectClass": [b"user"],
            "sAMAccountName": [name.encode()],
            "userPrincipalName": [f"{name}@{REALM.lower()}".encode()],
            "unicodePwd": [_unicode_password(password)],
            "userAccountControl": [str(control).encode()],
            **{attribute: [value.encode()] for attribute, value in attributes.items()},
        }
        return self.add(f"CN={name},{container}", values)

    def add_group(self, name: str, container: str, members: list[str]) -> str:
        values = {
            "objectClass": [b"group"],
            "sAMAccountName": [name.encode()],
            "member": [member.encode() for member in members],
        }
        return self.add(f"CN={name},{container}", {k: v for k, v in values.items() if v})

    def add_lockout_policy(self, applies_to: str, threshold: int) -> None:
        """A fine-grained password policy locking ``applies_to`` out after ``threshold``
        wrong passwords, for half an hour; the rest of the domain never locks."""
        half_an_hour = str(-30 * 60 * 10_000_000).encode()  # negative 100 ns steps
        self.add(
            f"CN=lockout,CN=Password Settings Container,CN=System,{SUFFIX}",
            {
                "objectClass": [b"msDS-PasswordSettings"],
                "msDS-PasswordSettingsPrecedence": [b"1"],
                "msDS-PasswordReversibleEncryptionEnabled": [b"FALSE"],
                "msDS-PasswordHistoryLength": [b"0"],
                "msDS-PasswordComplexityEnabled": [b"FALSE"],
                "msDS-MinimumPasswordLength": [b"0"],
                "msDS-MinimumPasswordAge": [b"0"],
                "msDS-MaximumPasswordAge": [str(-42 * 86_400 * 10_000_000).encode()],
                "msDS-LockoutThreshold": [str(threshold).encode()],
                "msDS-LockoutObservationWindow": [half_an_hour],
                "msDS-LockoutDuration": [half_an_hour],
                "msDS-PSOAppliesTo": [applies_to.encode()],
            },
        )

    def age_password(self, dn: str) -> None:
        """Make ``dn``'s password years old, so AD counts it expired (42 days by default).

        AD lets nobody set pwdLastSet to a date, so this writes the domain's database file
        directly with Samba's own Python and ldb, below Samba's checks; the running DC reads
        the new value at the next bind.
        """
        partition = self.private / "private" / "sam.ldb.d" / f"{SUFFIX.upper()}.ldb"
        script = (
            "import ldb, sys\n"
            "db = ldb.Ldb(sys.argv[1], options=['modules:'])\n"
            "change = ldb.Message(ldb.Dn(db, sys.argv[2]))\n"
            "change['pwdLastSet'] = ldb.MessageElement("
            f"'{TWELVE_YEARS_AGO}', ldb.FLAG_MOD_REPLACE, 'pwdLastSet')\n"
            "db.modify(change)\n"
        )
        _run(_samba_python(), "-c", script, partition, dn, cwd=self.root)

    def lock_out(self, dn: str, attempts: int) -> None:
        """Lock ``dn`` out the way an attacker would: wrong passwords until AD says 775."""
        for _ in range(attempts):
            with contextlib.suppress(ldap.INVALID_CREDENTIALS):
                self.connection(dn, "not-the-password").unbind_s()
