"""Ranged retrieval: every value of a multi-valued attribute, however many there are.

Active Directory returns at most MaxValRange values (1,500 by default) of one attribute and
names the slice it sent ("member;range=0-1499"); the next slice is asked for from just past
its end, until a slice ends in "*". This applies to a group's ``member`` and to a person's
``memberOf`` alike. On AD the slices are asked for outright, ``value_range`` at a time;
elsewhere the plain attribute is, and a ranged answer is still followed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import ldap

log = logging.getLogger(__name__)

# Active Directory's default MaxValRange: the most values of one attribute it returns at once.
AD_VALUE_RANGE = 1500

Entry = dict[str, list[bytes]]


def value_slice(entry: Entry, attribute: str) -> tuple[str | None, list[bytes]]:
    """The values of ``attribute`` in a returned entry, and where their range ends: None
    when the server sent the attribute whole, "*" for the last slice, else the last index."""
    wanted = attribute.lower()
    for name, values in entry.items():
        base, _, option = name.lower().partition(";range=")
        if base == wanted:
            return (option.rpartition("-")[2] if option else None), values
    return None, []


@dataclass(frozen=True)
class RangedReader:
    active_directory: bool
    value_range: int = AD_VALUE_RANGE

    def requested(self, attribute: str, low: int = 0) -> str:
        """The attribute description to ask for, from value ``low`` on."""
        if self.active_directory:
            return f"{attribute};range={low}-{low + self.value_range - 1}"
        return f"{attribute};range={low}-*" if low else attribute

    def all_values(
        self, connection: Any, dn: str, attribute: str, first: Entry | None = None
    ) -> list[bytes]:
        """Every value of ``dn``'s ``attribute``; ``first`` is an entry already read (its
        slice is kept and only the rest is asked for), else the first slice is read too."""
        values: list[bytes] = []
        low, entry = 0, first
        while True:
            if entry is None:
                entry = self._read(connection, dn, attribute, low)
            end, found = value_slice(entry, attribute)
            values += found
            if end is None or end == "*":
                return values
            if not end.isdigit() or int(end) < low:
                log.warning("%s: unreadable range %r of %s; the values so far", dn, end, attribute)
                return values
            low, entry = int(end) + 1, None

    def _read(self, connection: Any, dn: str, attribute: str, low: int) -> Entry:
        entries = connection.search_s(
            dn, ldap.SCOPE_BASE, "(objectClass=*)", [self.requested(attribute, low)]
        )
        return next((entry for found, entry in entries if found is not None), {})
