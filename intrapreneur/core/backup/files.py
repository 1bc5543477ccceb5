"""The backup file on disk: gzip'd JSON lines, encrypted with age or (when asked) not.

Both ways stream: rows are read, compressed and encrypted a piece at a time, and read back
the same way, so a backup of any size takes little memory. No unencrypted copy of an
encrypted backup is ever written anywhere, not even a temporary one:

- writing, pyrage pulls the compressed lines from a reader (``_Pulled``) as it encrypts
  them into a temporary file beside the target, which takes the target's name only once
  complete;
- reading, pyrage decrypts on a thread of its own into a pipe, and the restore reads the
  other end. age authenticates every 64 KiB piece before handing it on, and the reader goes
  on to the end of the file before the restore commits, so a damaged or cut file fails the
  restore, which then changes nothing.

pyrage's ``encrypt_io``/``decrypt_io`` hold Python's global interpreter lock while they run,
so the decryption thread and the restore take turns rather than run side by side; they
switch at every read and write of the pipe.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pyrage

from intrapreneur.core.backup.format import BackupError
from intrapreneur.core.backup.keys import Identity, Recipient

# What an age file starts with: the binary form, and the ASCII-armoured one.
AGE_HEADERS = (b"age-encryption.org/v1\n", b"-----BEGIN AGE ENCRYPTED FILE-----")
GZIP_LEVEL = 9  # as gzip.open writes


# -- writing --------------------------------------------------------------------------------


def write_file(path: Path, chunks: Iterator[str], recipients: Sequence[Recipient] | None) -> None:
    """Write ``chunks`` gzip'd to ``path``, encrypted to ``recipients`` (None: unencrypted).

    The file appears only when complete and on disk: it is written beside ``path``, synced
    and renamed; a write that fails (a full disk) stops it with one line.
    """
    compressed = _gzipped(chunks)
    with _replaced_atomically(path) as sink:
        if recipients is None:
            for data in compressed:
                sink.write(data)
        else:
            _encrypt(compressed, sink, recipients)


def _gzipped(chunks: Iterator[str]) -> Iterator[bytes]:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    for chunk in chunks:
        if data := compressor.compress(chunk.encode("utf-8")):
            yield data
    yield compressor.flush()


def _encrypt(data: Iterator[bytes], sink: _Sink, recipients: Sequence[Recipient]) -> None:
    source = _Pulled(data)
    try:
        pyrage.encrypt_io(source, sink, list(recipients))
    except pyrage.EncryptError as error:
        # pyrage passes on only the text of an error in a read or write: raise the original
        # (the rows' BackupError, the database's own error, the sink's full disk).
        for cause in (source.error, sink.error):
            if cause is not None:
                raise cause from None
        raise BackupError(f"the encryption failed ({error})") from None
    if sink.error is not None:
        raise sink.error  # pyrage drops the error of its very last write (a buffer's flush)


class _Pulled(io.RawIOBase):
    """A readable stream over pieces of bytes, each made only when the reader gets to it."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces
        self._rest = memoryview(b"")
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            while not self._rest:
                piece = next(self._pieces, None)
                if piece is None:
                    return 0
                self._rest = memoryview(piece)
        except BaseException as error:
            self.error = error
            raise
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


class _Sink(io.RawIOBase):
    """The file being written: every byte handed to it, or an error that is kept."""

    def __init__(self, file: io.FileIO, path: Path) -> None:
        super().__init__()
        self._file, self._path = file, path
        self.error: BackupError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        rest = memoryview(data)
        try:
            while rest:
                rest = rest[self._file.write(rest) or 0 :]
        except OSError as error:
            self.error = BackupError(f"cannot write {self._path}: {error.strerror}")
            raise self.error from None
        return len(data)


@contextmanager
def _replaced_atomically(path: Path) -> Iterator[_Sink]:
    """A stream whose file takes the name ``path`` only once it is complete and on disk."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise BackupError(f"cannot write in {path.parent}: {error.strerror}") from None
    partial = Path(name)
    try:
        with open(handle, "wb", buffering=0) as file:
            yield _Sink(file, path)
            try:
                os.fsync(file.fileno())
            except OSError as error:
                raise BackupError(f"cannot write {path}: {error.strerror}") from None
        partial.chmod(0o600)  # the file holds everything: personal data, the audit log
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# -- reading --------------------------------------------------------------------------------


def is_encrypted(path: Path) -> bool:
    """Whether the file at ``path`` is age-encrypted: told by its first bytes, not its name."""
    with _opened(path) as source:
        return _starts_encrypted(source)


@contextmanager
def read_lines(path: Path, identities: Sequence[Identity] = ()) -> Iterator[Iterator[Any]]:
    """The parsed lines of the backup at ``path``, decrypted with ``identities`` if it is
    encrypted; damage of any kind, and a wrong key, become one BackupError."""
    with _opened(path) as source:
        if not _starts_encrypted(source):
            with _gunzipped(source) as lines:
                yield lines
            return
        if not identities:
            raise BackupError(
                "this backup is encrypted: give the file with its private key (--identity)"
            )
        with _decrypted(source, identities) as plain, _gunzipped(plain) as lines:
            yield lines


@contextmanager
def _opened(path: Path) -> Iterator[IO[bytes]]:
    try:
        source = path.open("rb")
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    with source:
        yield source


def _starts_encrypted(source: IO[bytes]) -> bool:
    start = source.read(max(len(header) for header in AGE_HEADERS))
    source.seek(0)
    return start.startswith(AGE_HEADERS)


@contextmanager
def _gunzipped(stream: IO[bytes]) -> Iterator[Iterator[Any]]:
    with gzip.open(stream, "rt", encoding="utf-8") as text:
        yield _parsed(text)


def _parsed(stream: Any) -> Iterator[Any]:
    try:
        for number, text in enumerate(stream, start=1):
            try:
                yield json.loads(text)
            except json.JSONDecodeError:
                raise BackupError(f"line {number} of the backup is not valid JSON") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise BackupError(
            f"the backup file is damaged or incomplete ({type(error).__name__}: {error})"
        ) from None


@contextmanager
def _decrypted(source: IO[bytes], identities: Sequence[Identity]) -> Iterator[IO[bytes]]:
    """The plaintext of ``source`` as a stream, decrypted on a thread as it is read.

    When the decryption fails, its error is the one raised, whatever the reader made of the
    plaintext it stopped short of: a wrong key or a damaged file is the cause.
    """
    read_end, write_end = os.pipe()
    decryption = _Decryption(source, write_end, identities)
    decryption.start()
    try:
        with open(read_end, "rb") as plain:
            yield plain
    finally:
        # The reading end is closed: a decryption still writing stops at its next write.
        decryption.join()
        decryption.check()


class _Decryption(threading.Thread):
    def __init__(self, source: IO[bytes], sink: int, identities: Sequence[Identity]) -> None:
        super().__init__(name="backup-decryption", daemon=True)
        self._source, self._sink, self._identities = source, sink, list(identities)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with open(self._sink, "wb") as sink:
                pyrage.decrypt_io(self._source, sink, self._identities)
        except BrokenPipeError:
            pass  # the reader stopped early (it had what it wanted, or failed itself)
        except BaseException as error:  # handed to the reading thread by check()
            self.error = error

    def check(self) -> None:
        error = self.error
        if error is None:
            return
        if isinstance(error, pyrage.DecryptError) and "no matching keys" in str(error).lower():
            raise BackupError("this backup was not encrypted to the given key(s)") from None
        if isinstance(error, pyrage.DecryptError):
            raise BackupError(
                "the encrypted backup is damaged or incomplete: "
                f"its header cannot be read ({error})"
            ) from None
        if isinstance(error, OSError):
            raise BackupError(f"the encrypted backup is damaged or incomplete ({error})") from None
        raise error
