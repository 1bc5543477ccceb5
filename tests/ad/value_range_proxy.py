"""An LDAP proxy on loopback that imitates Active Directory's MaxValRange in front of Samba.

Real AD never returns more than MaxValRange values (1,500 by default; an administrator may
set it lower) of one attribute: past it, a plain request for ``member`` is answered with
``member;range=0-1499`` and the rest must be asked for. Samba answers ranged requests as AD
does but never forces them. This proxy forces them: it passes the app's LDAP messages to
the DC over LDAPS unchanged, and cuts each search result's ``member`` and ``memberOf``
past ``limit`` values into the slice AD would have sent, named as AD names it.

It reads just enough BER (the LDAP wire format, RFC 4511) to find search result entries;
every other message passes through byte for byte.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

SEQUENCE, SET, OCTET_STRING = 0x30, 0x31, 0x04
SEARCH_RESULT_ENTRY = 0x64  # [APPLICATION 4], constructed
CUT_ATTRIBUTES = frozenset({"member", "memberof"})


def _length(data: bytes, at: int) -> tuple[int, int]:
    """The BER length at ``at``: (length, where the content starts)."""
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def _elements(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) of each BER element laid end to end in ``data``."""
    found, at = [], 0
    while at < len(data):
        length, start = _length(data, at + 1)
        found.append((data[at], data[start : start + length]))
        at = start + length
    return found


def _encoded(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def _ranged(description: str, count: int, limit: int) -> str | None:
    """The name AD gives the first ``limit`` of ``count`` values, or None to leave it whole."""
    base, _, option = description.partition(";range=")
    if base.lower() not in CUT_ATTRIBUTES or count <= limit:
        return None
    low = int(option.partition("-")[0]) if option else 0
    return f"{base};range={low}-{low + limit - 1}"


def _cut_attribute(attribute: bytes, limit: int) -> bytes:
    (_, description), (_, values) = _elements(attribute)
    kept = _elements(values)
    name = _ranged(description.decode(), len(kept), limit)
    if name is None:
        return _encoded(SEQUENCE, attribute)
    cut = b"".join(_encoded(tag, value) for tag, value in kept[:limit])
    return _encoded(SEQUENCE, _encoded(OCTET_STRING, name.encode()) + _encoded(SET, cut))


def _cut_message(message: bytes, limit: int) -> bytes:
    """``message`` with its entry's big attributes cut, if it is a search result entry."""
    _, body = _elements(message)[0]
    parts = _elements(body)
    message_id, (operation, content) = parts[0], parts[1]
    if operation != SEARCH_RESULT_ENTRY:
        return message
    (_, dn), (_, attributes) = _elements(content)
    entry = _encoded(OCTET_STRING, dn) + _encoded(
        SEQUENCE, b"".join(_cut_attribute(value, limit) for _, value in _elements(attributes))
    )
    rest = b"".join(_encoded(tag, value) for tag, value in parts[2:])  # controls
    return _encoded(
        SEQUENCE,
        _encoded(*message_id) + _encoded(SEARCH_RESULT_ENTRY, entry) + rest,
    )


def _whole_messages(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The complete LDAP messages at the start of ``buffer``, and what is left of it."""
    messages = []
    while len(buffer) >= 2:
        if buffer[1] >= 0x80 and len(buffer) < 2 + (buffer[1] & 0x7F):
            break
        length, start = _length(buffer, 1)
        if len(buffer) < start + length:
            break
        messages.append(buffer[: start + length])
        buffer = buffer[start + length :]
    return messages, buffer


def _relay(client: socket.socket, upstream: ssl.SSLSocket, limit: int) -> None:
    """The app's requests to the DC as they are; the DC's answers cut, message by message.

    One thread per connection (an SSL socket must not be read and written at once from two
    threads); LDAP is request and answer, so waiting on one side never stalls the other.
    """
    pending = b""
    with client, upstream:
        while True:
            ready = (
                [upstream] if upstream.pending() else select.select([client, upstream], [], [])[0]
            )
            for side in ready:
                chunk = side.recv(65536)
                if not chunk:
                    return
                if side is client:
                    upstream.sendall(chunk)
                    continue
                messages, pending = _whole_messages(pending + chunk)
                for message in messages:
                    client.sendall(_cut_message(message, limit))


@dataclass
class ValueRangeProxy:
    """``ldap://`` on a loopback port, to the DC's ``ldaps://`` with at most ``limit``
    values of member and memberOf per answer."""

    upstream_host: str
    ca_file: Path
    limit: int
    upstream_port: int = 636
    _listener: socket.socket = field(init=False)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.uri = f"ldap://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        tls = ssl.create_default_context(cafile=str(self.ca_file))
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            upstream = tls.wrap_socket(
                socket.create_connection((self.upstream_host, self.upstream_port), timeout=10),
                server_hostname=self.upstream_host,
            )
            upstream.settimeout(None)
            threading.Thread(target=self._serve, args=(client, upstream), daemon=True).start()

    def _serve(self, client: socket.socket, upstream: ssl.SSLSocket) -> None:
        # Either side going away ends the connection, as it would with AD.
        with contextlib.suppress(OSError):
            _relay(client, upstream, self.limit)

    def stop(self) -> None:
        self._listener.close()
