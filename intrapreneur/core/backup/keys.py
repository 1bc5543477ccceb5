"""The keys of encrypted backups: age public keys (recipients) and private keys (identities).

A backup is encrypted to one or more recipients: age X25519 public keys (``age1…``) or SSH
public keys (``ssh-ed25519 …``, ``ssh-rsa …``). Only a matching identity reads it back: an
age identity file as ``age-keygen`` (or ``intrapreneur backup-key``) writes it, or an
unencrypted OpenSSH private key. The files and the text follow age's own conventions, so the
standard ``age`` and ``rage`` tools read the same files.

No message here ever repeats a private key, nor anything that might be one: a line that is
not understood is named by its number only.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from pyrage import IdentityError, RecipientError, ssh, x25519

from intrapreneur.core.backup.format import BackupError

Recipient = x25519.Recipient | ssh.Recipient
Identity = x25519.Identity | ssh.Identity

PRIVATE_KEY_PREFIX = "AGE-SECRET-KEY-1"
SSH_PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----"


def recipient(text: str, where: str) -> Recipient:
    """The recipient ``text`` names; ``where`` says where it was written, for the message."""
    try:
        if text.startswith("age1"):
            return x25519.Recipient.from_str(text)
        if text.startswith("ssh-"):
            return ssh.Recipient.from_str(text)
    except RecipientError as error:
        raise BackupError(f"{where} is not a valid public key ({error})") from None
    if text.upper().startswith(PRIVATE_KEY_PREFIX):
        raise BackupError(
            f"{where} is a private key (AGE-SECRET-KEY-1…): give its public key (age1…) "
            "instead, and keep the private key away from the backups"
        )
    raise BackupError(f"{where} is neither an age public key (age1…) nor an SSH public key")


def listed_recipients(text: str, where: str) -> list[str]:
    """The age public keys in ``text``, separated by commas or white space (a setting)."""
    keys = [item for item in re.split(r"[\s,]+", text) if item]
    for number, key in enumerate(keys, start=1):
        if key.startswith("ssh-"):
            raise BackupError(
                f"{where}: item {number} is an SSH key, which holds spaces; list age public "
                "keys here, and put SSH public keys in a recipients file (--recipients-file)"
            )
        recipient(key, f"{where}: item {number}")
    return keys


def _key_lines(path: Path, what: str) -> list[tuple[int, str]]:
    """The numbered lines of an age key file that are neither empty nor comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not text"
        raise BackupError(f"cannot read the {what} {path}: {reason}") from None
    return [
        (number, stripped)
        for number, raw in enumerate(text.splitlines(), start=1)
        if (stripped := raw.strip()) and not stripped.startswith("#")
    ]


def read_recipients(path: Path) -> list[Recipient]:
    """The recipients in a file as ``age -R`` reads it: one per line, ``#`` comments."""
    found = [
        recipient(text, f"line {number} of {path}")
        for number, text in _key_lines(path, "recipients file")
    ]
    if not found:
        raise BackupError(f"the recipients file {path} lists no public key")
    return found


def read_identities(path: Path) -> list[Identity]:
    """The private keys in an identity file: age secret keys, one per line, ``#`` comments;
    or one unencrypted OpenSSH private key."""
    lines = _key_lines(path, "identity file")
    if lines and lines[0][1] == SSH_PRIVATE_KEY:
        try:
            return [ssh.Identity.from_buffer(path.read_bytes())]
        except IdentityError as error:
            raise BackupError(f"the SSH private key in {path} cannot be used ({error})") from None
    identities = []
    for number, text in lines:
        try:
            identities.append(x25519.Identity.from_str(text))
        except IdentityError:
            raise BackupError(
                f"line {number} of {path} is neither a comment nor an age secret key "
                "(AGE-SECRET-KEY-1…)"
            ) from None
    if not identities:
        raise BackupError(f"the identity file {path} holds no age secret key")
    return identities


def write_identity(path: Path) -> str:
    """Write a new age identity file at ``path``, readable by its owner only, and return its
    public key. An existing file is never replaced: older backups may need the key in it."""
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(
            f"{path} already exists: keep it (the backups made for it need it) "
            "and write the new key to another file"
        ) from None
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(f"# created: {created}\n# public key: {public}\n{identity}\n")
    except OSError as error:
        path.unlink(missing_ok=True)
        raise BackupError(f"cannot write {path}: {error.strerror}") from None
    return public
