"""One-file export of all application data, and its restore into an empty database.

The file is gzip'd JSON lines: a header (format, app version, schema revision,
rows per table), then each table in foreign-key order as a ``{"table": …}`` line
followed by one JSON array per row, then an ``{"end": …}`` line. Values that JSON
cannot hold exactly (datetimes, dates, decimals, bytes) are tagged, and JSON
columns are wrapped, so every value comes back as it was.

Unless asked otherwise, the gzip'd lines are encrypted with age (the pyrage binding) to one
or more public keys, so a copy on a share or in object storage reveals nothing; only a
matching private key restores it, and the standard ``age``/``rage`` tools decrypt it too.

This is for moving an installation (SQLite to PostgreSQL, one server to another)
and for a portable copy; it is no replacement for the database's own backups
(docs/operations.md).

The modules, each importing only those before it: ``format`` (the lines and their values),
``keys`` (public and private keys, their files), ``files`` (the file on disk: compression,
encryption, atomic writing, streaming reading), ``writing`` and ``restoring``. This package
names what callers use.
"""

from intrapreneur.core.backup.files import is_encrypted
from intrapreneur.core.backup.format import BackupError, Summary, decode_value, encode_value, line
from intrapreneur.core.backup.keys import (
    Identity,
    Recipient,
    listed_recipients,
    read_identities,
    read_recipients,
    recipient,
    write_identity,
)
from intrapreneur.core.backup.restoring import read_header, restore_backup
from intrapreneur.core.backup.writing import write_backup

__all__ = [
    "BackupError",
    "Identity",
    "Recipient",
    "Summary",
    "decode_value",
    "encode_value",
    "is_encrypted",
    "line",
    "listed_recipients",
    "read_header",
    "read_identities",
    "read_recipients",
    "recipient",
    "restore_backup",
    "write_backup",
    "write_identity",
]
