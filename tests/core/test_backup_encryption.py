"""Encrypted backups: a file that reveals nothing, and restores only with its key.

Real age encryption (pyrage), real files and real databases, on the suite's server (SQLite,
or PostgreSQL with INTRAPRENEUR_TEST_DATABASE_URL), built as in test_backup.py.
"""

from __future__ import annotations

import gzip
import random
import resource
import secrets
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select

from intrapreneur import create_app, settings
from intrapreneur.cli import cli
from intrapreneur.core.backup import (
    BackupError,
    is_encrypted,
    read_header,
    read_identities,
    read_recipients,
    recipient,
    restore_backup,
    write_backup,
    write_identity,
)
from intrapreneur.core.backup.files import write_file
from intrapreneur.core.models import AuditEvent
from intrapreneur.experiments.models import Notification
from intrapreneur.extensions import db
from intrapreneur.identity.models import Person
from tests.conftest import environment_for
from tests.core.test_backup import (
    HEAD,
    _backup,
    _migrated,
    _restore,
    _rows,
    _seed,
    _total,
)

AGE_CHUNK = 64 * 1024 + 16  # age's payload pieces: 64 KiB of plaintext and a 16-byte tag


@dataclass
class Key:
    """A key pair as an operator has it: the identity file and the public key it printed."""

    file: Path
    public: str

    @property
    def identities(self) -> list[Any]:
        return read_identities(self.file)

    @property
    def recipient(self) -> Any:
        return recipient(self.public, "test key")


@dataclass
class Source:
    app: Flask
    rows: dict[str, list[tuple[Any, ...]]]
    emails: list[str]
    encrypted: Path  # to keys[0] and keys[1]
    keys: list[Key]  # the third reads nothing


@pytest.fixture(scope="module")
def source(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Source]:
    """A rich database, large enough for several age pieces, and its encrypted backup."""
    directory = tmp_path_factory.mktemp("encrypted")
    keys = [_new_key(directory / f"key-{number}.txt") for number in range(3)]
    with _migrated(empty_database, directory, "encrypted") as app:
        _seed(app)
        with app.app_context():
            hr = db.session.scalars(select(Person).order_by(Person.id)).first()
            # Random text does not compress: the file spans several of age's 64 KiB pieces.
            db.session.add_all(
                Notification(person_id=hr.id, text=secrets.token_urlsafe(300), link="/x")
                for _ in range(1000)
            )
            db.session.commit()
            emails = list(db.session.scalars(select(Person.email)))
        path = directory / "all.intrapreneur.gz.age"
        _backup(app, path, [keys[0].recipient, keys[1].recipient])
        yield Source(app, _rows(app), emails, path, keys)


@pytest.fixture
def target(empty_database: Callable[[str], Any], tmp_path: Path) -> Iterator[Flask]:
    """A new database with the whole schema, to restore into."""
    with _migrated(empty_database, tmp_path, "target") as app:
        yield app


@pytest.fixture(scope="module")
def untouched(
    empty_database: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """A database with the whole schema that every refused restore must leave empty."""
    with _migrated(empty_database, tmp_path_factory.mktemp("untouched"), "untouched") as app:
        yield app


def _new_key(path: Path) -> Key:
    return Key(path, write_identity(path))


def _command(app: Flask, *args: str) -> Result:
    # The command runs on `app`, whose database connections the fixtures close.
    return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: app))


def _restore_with(app: Flask, path: Path, identities: list[Any]) -> None:
    with app.app_context():
        restore_backup(db.engine, path, identities=identities)


# -- what the file shows ----------------------------------------------------------------------


def test_the_encrypted_file_reveals_nothing(source: Source) -> None:
    data = source.encrypted.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert not data.startswith(b"\x1f\x8b"), "not a gzip file"
    assert len(data) > 4 * AGE_CHUNK, "several pieces, for the damage tests"
    assert source.emails and all(email.encode() not in data for email in source.emails)
    for marker in (b"intrapreneur-backup", b"audit_event", b"person", HEAD.encode()):
        assert marker not in data
    assert source.encrypted.stat().st_mode & 0o077 == 0, "only the owner may read it"
    assert is_encrypted(source.encrypted)


def test_standard_age_reads_the_file(source: Source, tmp_path: Path) -> None:
    """`age -d -i key.txt FILE | gunzip` as docs/operations.md says: the plaintext is the
    same gzip'd JSON lines as an unencrypted backup (rage, age's Rust implementation)."""
    encrypted = source.encrypted.read_bytes()
    plain = gzip.decompress(pyrage.decrypt(encrypted, source.keys[0].identities))
    lines = plain.decode().splitlines()
    assert lines[0].startswith('{"format":"intrapreneur-backup"')
    assert lines[-1].startswith('{"end":true')
    assert any(source.emails[0] in line for line in lines)


def test_a_backup_encrypted_by_age_itself_is_read(source: Source, tmp_path: Path) -> None:
    """`age -a -r age1… plain.gz > FILE` (armoured, as age writes for text channels): told by
    its content too, and read with the key."""
    plain = _backup(source.app, tmp_path / "plain.gz")
    armoured = tmp_path / "by-age.txt"
    armoured.write_bytes(pyrage.encrypt(plain.read_bytes(), [source.keys[2].recipient], True))
    assert armoured.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert is_encrypted(armoured)
    assert read_header(armoured, source.keys[2].identities)["schema_revision"] == HEAD


# -- restoring ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [0, 1], ids=["first-recipient", "second-recipient"])
def test_each_recipient_restores_every_row(source: Source, target: Flask, key: int) -> None:
    assert read_header(source.encrypted, source.keys[key].identities)["schema_revision"] == HEAD
    _restore_with(target, source.encrypted, source.keys[key].identities)
    assert _rows(target) == source.rows


def test_the_wrong_key_restores_nothing(source: Source, untouched: Flask) -> None:
    wrong = source.keys[2].identities
    with pytest.raises(BackupError, match=r"^this backup was not encrypted to the given key\(s\)$"):
        read_header(source.encrypted, wrong)
    with pytest.raises(BackupError, match="not encrypted to the given key"):
        _restore_with(untouched, source.encrypted, wrong)
    assert _total(untouched) == 0


def test_an_encrypted_backup_without_a_key_is_refused(source: Source, untouched: Flask) -> None:
    with pytest.raises(BackupError, match=r"encrypted: give the file with its private key"):
        read_header(source.encrypted)
    with pytest.raises(BackupError, match=r"--identity"):
        _restore(untouched, source.encrypted)
    assert _total(untouched) == 0


def _payload_start(data: bytes) -> int:
    """Where age's pieces start: after the header's MAC line and the 16-byte nonce."""
    return data.index(b"\n", data.index(b"\n---")) + 1 + 16


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _without_last_piece(data: bytes) -> bytes:
    # Cut exactly between two pieces: each remaining piece is whole and authentic.
    start = _payload_start(data)
    whole = (len(data) - start - 1) // AGE_CHUNK
    return data[: start + whole * AGE_CHUNK]


def _flipped(offset: Callable[[bytes], int]) -> Callable[[bytes], bytes]:
    def spoil(data: bytes) -> bytes:
        damaged = bytearray(data)
        damaged[offset(data)] ^= 0x01
        return bytes(damaged)

    return spoil


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (_cut, "damaged or incomplete"),
        (_without_last_piece, "damaged or incomplete"),
        (_flipped(lambda data: len(data) - 100), "damaged or incomplete"),
        (_flipped(lambda data: len(data) // 2), "damaged or incomplete"),
        (_flipped(lambda data: data.index(b"\n---") + 6), "header cannot be read"),
        (lambda data: data[: _payload_start(data)], "header cannot be read"),
    ],
    ids=["cut", "last-piece-missing", "end-changed", "middle-changed", "mac-changed", "no-payload"],
)
def test_a_damaged_encrypted_file_restores_nothing(
    source: Source,
    untouched: Flask,
    tmp_path: Path,
    spoil: Callable[[bytes], bytes],
    problem: str,
) -> None:
    damaged = tmp_path / "damaged.age"
    damaged.write_bytes(spoil(source.encrypted.read_bytes()))
    with pytest.raises(BackupError, match=problem):
        _restore_with(untouched, damaged, source.keys[0].identities)
    assert _total(untouched) == 0


@contextmanager
def _disk_full_after(size: int) -> Iterator[None]:
    """Writes past ``size`` bytes of any file fail, as on a full disk (EFBIG, from the
    kernel's file size limit: a real failed write, in this process only)."""
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.parametrize("where", ["middle", "last-write"])
def test_a_full_disk_leaves_no_file(source: Source, tmp_path: Path, where: str) -> None:
    """Even the very last write: pyrage drops its error (a buffer flushed on the way out),
    which would leave a file cut short under the name of a complete one."""
    # Chosen so that the last age piece is small (~2.5 KiB): pyrage buffers it and writes it
    # only as it returns.
    text = random.Random(22).randbytes(116_871).hex()
    keys = [source.keys[0].recipient]
    complete = tmp_path / "complete.age"
    write_file(complete, iter([text]), keys)
    size = complete.stat().st_size
    last_piece = (size - _payload_start(complete.read_bytes())) % AGE_CHUNK
    assert 100 < last_piece < 8192, "the premise: a last piece pyrage buffers"
    path = tmp_path / "full.age"
    with (
        _disk_full_after(size // 2 if where == "middle" else size - last_piece // 2),
        pytest.raises(BackupError, match=r"^cannot write .*full.age: File too large$"),
    ):
        write_file(path, iter([text]), keys)
    assert sorted(tmp_path.iterdir()) == [complete]
    with _disk_full_after(size // 2), pytest.raises(BackupError, match="File too large"):
        write_file(path, iter([text]), None)
    assert sorted(tmp_path.iterdir()) == [complete]


# -- keys -----------------------------------------------------------------------------------


def test_an_identity_file_may_hold_comments_and_several_keys(
    source: Source, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(
        "# two keys, as age-keygen writes each\n\n"
        + source.keys[2].file.read_text()
        + source.keys[1].file.read_text()
    )
    assert len(read_identities(keys)) == 2
    assert read_header(source.encrypted, read_identities(keys))["schema_revision"] == HEAD


def test_a_broken_identity_file_says_where_without_repeating_it(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    secret = "AGE-SECRET-KEY-1NOTAREALKEYBUTSECRETLOOKING"
    keys.write_text(f"# mine\n{secret}\n")
    with pytest.raises(BackupError, match=r"^line 2 of .*keys.txt is neither a comment") as raised:
        read_identities(keys)
    assert secret not in str(raised.value)
    keys.write_text("# nothing here\n")
    with pytest.raises(BackupError, match="holds no age secret key"):
        read_identities(keys)


def test_a_private_key_given_as_recipient_is_refused_unrepeated() -> None:
    secret = str(pyrage.x25519.Identity.generate())
    with pytest.raises(BackupError, match=r"is a private key") as raised:
        recipient(secret, "--recipient 1")
    assert secret not in str(raised.value)
    with pytest.raises(BackupError, match="neither an age public key"):
        recipient("AAAAC3NzaC1lZDI1NTE5", "--recipient 1")


def _ssh_key(directory: Path) -> tuple[Path, Path]:
    """An OpenSSH key pair, as ssh-keygen writes it."""
    private = Ed25519PrivateKey.generate()
    secret = directory / "id_ed25519"
    secret.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    public = directory / "recipients.txt"
    key = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    public.write_text(f"# the operator's SSH key\n{key.decode()} operator@example.org\n")
    return secret, public


def test_an_ssh_key_encrypts_and_restores(source: Source, target: Flask, tmp_path: Path) -> None:
    secret, public = _ssh_key(tmp_path)
    rows = _rows(source.app)  # other tests' commands add audit events to the source
    path = _backup(source.app, tmp_path / "ssh.age", read_recipients(public))
    with pytest.raises(BackupError, match="not encrypted to the given key"):
        read_header(path, source.keys[0].identities)
    _restore_with(target, path, read_identities(secret))
    assert _rows(target) == rows


def test_a_new_key_file_is_private_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "backup-key.txt"
    made = _command(Flask(__name__), "backup-key", str(path))
    assert made.exit_code == 0, made.output
    public = made.stdout.strip()
    assert public.startswith("age1") and "\n" not in public
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    assert f"# public key: {public}\n" in text and "AGE-SECRET-KEY-1" in text
    assert "AGE-SECRET-KEY" not in made.output, "the private key is never printed"
    assert str(read_identities(path)[0].to_public()) == public
    again = _command(Flask(__name__), "backup-key", str(path))
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert path.read_text() == text


# -- the commands ----------------------------------------------------------------------------


def test_the_commands_encrypt_and_restore_with_a_new_key(
    source: Source, target: Flask, tmp_path: Path
) -> None:
    key_file, path = tmp_path / "key.txt", tmp_path / "cli.intrapreneur.gz.age"
    public = _command(source.app, "backup-key", str(key_file)).stdout.strip()
    made = _command(source.app, "backup", "--recipient", public, str(path))
    assert made.exit_code == 0, made.output
    assert "Backed up" in made.stdout and "(encrypted to 1 public key)" in made.stdout
    assert is_encrypted(path)
    refused = _command(target, "restore", str(path))
    assert refused.exit_code == 1
    assert "Stopped, nothing changed: this backup is encrypted" in refused.stderr
    wrong = _command(target, "restore", "--identity", str(source.keys[0].file), str(path))
    assert wrong.exit_code == 1
    assert "not encrypted to the given key(s)" in wrong.stderr
    assert _total(target) == 0
    done = _command(target, "restore", "--identity", str(key_file), str(path))
    assert done.exit_code == 0, done.output
    assert "encrypted)" in done.stdout and "Restored" in done.stdout
    assert "AGE-SECRET-KEY" not in done.output
    restored = _last_event(target)
    backed_up = _last_event(source.app)
    assert backed_up.action == "data.backed_up"
    assert backed_up.details["encrypted"] is True and backed_up.details["recipients"] == 1
    assert restored.action == "data.restored" and restored.details["encrypted"] is True
    assert "SECRET" not in str(restored.details) + str(backed_up.details)


def _last_event(app: Flask) -> AuditEvent:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_a_backup_without_a_recipient_is_refused(source: Source, tmp_path: Path) -> None:
    path = tmp_path / "refused.gz"
    refused = _command(source.app, "backup", str(path))
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "Stopped, no file written: no public key to encrypt the backup to: give --recipient"
    )
    assert "--plaintext" in refused.stderr
    both = _command(source.app, "backup", "--plaintext", "-r", source.keys[0].public, str(path))
    assert both.exit_code == 1 and "exclude each other" in both.stderr
    assert list(tmp_path.iterdir()) == []
    with source.app.app_context(), pytest.raises(BackupError, match="at least one recipient"):
        write_backup(db.engine, path, recipients=[])


def test_a_plaintext_backup_is_as_before(source: Source, target: Flask, tmp_path: Path) -> None:
    path = tmp_path / "plain.gz"
    made = _command(source.app, "backup", "--plaintext", str(path))
    assert made.exit_code == 0, made.output
    assert "unencrypted: keep it as safe as the database itself" in made.stdout
    assert path.read_bytes().startswith(b"\x1f\x8b") and not is_encrypted(path)
    assert read_header(path)["schema_revision"] == HEAD
    done = _command(target, "restore", str(path))
    assert done.exit_code == 0, done.output
    assert "not encrypted)" in done.stdout


def test_the_configured_recipients_encrypt(source: Source, tmp_path: Path) -> None:
    keys = source.keys
    configured = create_app(
        environment_for(
            source.app.config["SQLALCHEMY_DATABASE_URI"],
            tmp_path / "instance",
            INTRAPRENEUR_BACKUP_RECIPIENTS=f" {keys[0].public},\n{keys[2].public} ",
        ),
        TESTING=True,
    )
    path = tmp_path / "configured.age"
    try:
        made = _command(configured, "backup", str(path))
        assert made.exit_code == 0, made.output
        assert "(encrypted to 2 public keys)" in made.stdout
        # An option replaces the configured keys rather than adding to them.
        only = _command(configured, "backup", "-r", keys[1].public, str(tmp_path / "only.age"))
        assert only.exit_code == 0, only.output
    finally:
        with configured.app_context():
            db.engine.dispose()
    for key in (keys[0], keys[2]):
        assert read_header(path, key.identities)["schema_revision"] == HEAD
    with pytest.raises(BackupError, match="not encrypted to the given key"):
        read_header(path, keys[1].identities)
    with pytest.raises(BackupError, match="not encrypted to the given key"):
        read_header(tmp_path / "only.age", keys[0].identities)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("age1notakey", r"item 1 is not a valid public key"),
        ("age1qqqq, ssh-ed25519 AAAAC3Nza", r"item 1 is not a valid public key"),
        ("ssh-ed25519 AAAAC3Nza", r"item 1 is an SSH key.*recipients file"),
        ("AGE-SECRET-KEY-1ABCDEF", r"item 1 is a private key"),
    ],
)
def test_a_wrong_configured_recipient_stops_the_app(
    value: str, problem: str, tmp_path: Path
) -> None:
    with pytest.raises(settings.ConfigError, match=problem) as raised:
        settings.load(
            {"INTRAPRENEUR_ENV": "test", "INTRAPRENEUR_BACKUP_RECIPIENTS": value},
            instance_path=tmp_path,
        )
    assert str(raised.value).startswith("INTRAPRENEUR_BACKUP_RECIPIENTS: item")
    assert "ABCDEF" not in str(raised.value)
