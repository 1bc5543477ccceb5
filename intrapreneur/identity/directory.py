"""The company directory (OpenLDAP or Active Directory), behind a small interface.

Only this module and ``directory_servers`` (connections, TLS, failover and what a failure
means) import ``ldap``. python-ldap connections are not shared between threads, so every
operation opens its own connection, binds, works and unbinds; sign-in is rare enough that
this costs nothing measurable.

Every value typed by a person goes through ``escape_filter_chars`` before it
reaches a filter, and DNs are compared in one normalised, lower-case form.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ldap
from ldap.controls import SimplePagedResultsControl
from ldap.filter import escape_filter_chars

from intrapreneur.identity.directory_servers import (
    AccountRefused,
    CertificateNotTrusted,
    DirectoryError,
    DirectoryUnavailable,
    InvalidCredentials,
    Servers,
    account_refusal,
)
from intrapreneur.identity.value_ranges import AD_VALUE_RANGE, RangedReader
from intrapreneur.settings import DirectorySettings

# The refusals are part of this interface; they live with the connections that raise most.
__all__ = [
    "AccountRefused",
    "CertificateNotTrusted",
    "Directory",
    "DirectoryError",
    "DirectoryPerson",
    "DirectoryUnavailable",
    "InvalidCredentials",
    "normalise_dn",
]

log = logging.getLogger(__name__)

# Active Directory: "member of, at any depth" (LDAP_MATCHING_RULE_IN_CHAIN).
IN_CHAIN = "1.2.840.113556.1.4.1941"
AD_ACCOUNT_DISABLED = 0x2
MAX_USERNAME_LENGTH = 256
ROLE_INDEX_SECONDS = 300


@dataclass(frozen=True)
class DirectoryPerson:
    """One person as the directory describes them, mapped to our fields."""

    dn: str
    directory_id: str
    username: str
    email: str | None
    display_name: str
    department: str | None
    title: str | None
    manager_dn: str | None
    groups: frozenset[str]
    roles: frozenset[str]
    disabled: bool = False
    time_zone: str | None = None  # as the directory spells it, unchecked
    locale: str | None = None  # preferredLanguage as the directory spells it, unchecked
    country: str | None = None  # as the directory spells it, unchecked
    location: str | None = None
    business_unit: str | None = None


# Group DNs repeat on every entry; person DNs do not, so a small cache keeps memory flat.
@lru_cache(maxsize=4096)
def normalise_dn(dn: str) -> str:
    """One spelling per DN: attribute types and values lower-cased, spaces and escapes canonical."""
    try:
        parts = ldap.dn.str2dn(dn)
    except ldap.DECODING_ERROR:
        return dn.strip().lower()
    return ldap.dn.dn2str(
        [[(name.lower(), value.lower(), kind) for name, value, kind in rdn] for rdn in parts]
    )


def _text(values: list[bytes] | None) -> str | None:
    if not values:
        return None
    return values[0].decode("utf-8", errors="replace").strip() or None


def _identifier(attribute: str, values: list[bytes] | None) -> str | None:
    """entryUUID is text; Active Directory's objectGUID is 16 little-endian bytes."""
    if not values:
        return None
    if attribute.lower() == "objectguid" and len(values[0]) == 16:
        return str(uuid.UUID(bytes_le=values[0]))
    return _text(values)


class Directory:
    """Search-then-bind sign-in, look-ups and paged listing against the configured directory."""

    def __init__(self, settings: DirectorySettings, *, value_range: int = AD_VALUE_RANGE) -> None:
        self.settings = settings
        # value_range: the values per slice asked of AD (its MaxValRange)
        self.ranges = RangedReader(settings.active_directory, value_range)
        self._service_connection = Servers(settings).service_connection
        self.fields = settings.attributes
        self.role_groups = {
            role: frozenset(normalise_dn(group) for group in groups)
            for role, groups in settings.role_map.items()
        }

    def ping(self) -> None:
        """Raise DirectoryUnavailable unless a server answers the service account's bind."""
        with self._service_connection():
            pass

    # -- reading people ----------------------------------------------------------------

    def _requested_attributes(self) -> list[str]:
        wanted = [name for name in self.fields.values() if name]
        if self.settings.membership == "memberof":
            wanted.append(self.ranges.requested("memberOf"))
        if self.settings.active_directory:
            wanted.append("userAccountControl")
        return list(dict.fromkeys(wanted))

    def _person(
        self, connection: Any, dn: str, entry: dict[str, list[bytes]], groups: frozenset[str]
    ) -> DirectoryPerson:
        attributes = {name.lower(): values for name, values in entry.items()}

        def value(field_name: str) -> str | None:
            attribute = self.fields[field_name]  # "" for an optional field left unmapped
            return _text(attributes.get(attribute.lower())) if attribute else None

        directory_id = _identifier(self.fields["id"], attributes.get(self.fields["id"].lower()))
        username = value("username")
        if not directory_id or not username:
            raise DirectoryError(f"{dn} lacks {self.fields['id']} or {self.fields['username']}")
        control = _text(attributes.get("useraccountcontrol"))
        return DirectoryPerson(
            dn=dn,
            directory_id=directory_id,
            username=username.lower(),
            email=(value("email") or "").lower() or None,
            display_name=value("name") or username,
            department=value("department"),
            title=value("title"),
            manager_dn=value("manager"),
            groups=groups,
            roles=self._roles(connection, groups),
            disabled=bool(control and control.isdigit() and int(control) & AD_ACCOUNT_DISABLED),
            time_zone=value("time_zone"),
            locale=value("locale"),
            country=value("country"),
            location=value("location"),
            business_unit=value("business_unit"),
        )

    def _user_filter(self, username: str) -> str:
        return self.settings.user_filter.replace("{username}", escape_filter_chars(username))

    def _find_user(self, connection: Any, username: str) -> tuple[str, dict[str, list[bytes]]]:
        found = [
            (dn, entry)
            for dn, entry in connection.search_s(
                self.settings.user_base,
                ldap.SCOPE_SUBTREE,
                self._user_filter(username),
                self._requested_attributes(),
            )
            if dn is not None  # search continuation references
        ]
        if not found:
            raise InvalidCredentials(reason="unknown_user")
        if len(found) > 1:
            log.warning("%d directory entries match one username; refusing sign-in", len(found))
            raise InvalidCredentials(reason="ambiguous_username")
        return found[0]

    def lookup(self, username: str) -> DirectoryPerson | None:
        """What the directory says about ``username`` (no password involved)."""
        _check_username(username)
        with self._service_connection() as connection:
            try:
                dn, entry = self._find_user(connection, username)
            except InvalidCredentials:
                return None
            return self._person(connection, dn, entry, self._all_groups(connection, dn, entry))

    def authenticate(self, username: str, password: str) -> DirectoryPerson:
        """Search with the service account, then bind as the one entry found.

        Costs one service bind, one search and one user bind, plus one group search
        when groups are searched instead of read from memberOf.
        """
        _check_username(username)
        if not password:
            # An empty password is an anonymous bind, which many servers accept.
            raise InvalidCredentials(reason="empty_password")
        if "\0" in password:
            raise InvalidCredentials(reason="invalid_characters")
        with self._service_connection() as connection:
            dn, entry = self._find_user(connection, username)
            person = self._person(connection, dn, entry, self._groups(connection, dn, entry))
            try:
                connection.simple_bind_s(dn, password)
            except ldap.INVALID_CREDENTIALS as error:
                refusal = account_refusal(error)
                if refusal:
                    raise AccountRefused(reason=refusal) from None
                raise InvalidCredentials(reason="wrong_password") from None
        if person.disabled:  # a server that lets a disabled AD account bind (or an imitation)
            raise AccountRefused(reason="account_disabled")
        return person

    def iter_people(self) -> Iterator[DirectoryPerson]:
        """Everyone in the user base, page by page: the server's size limit never cuts the list."""
        people_filter = self.settings.user_filter.replace("{username}", "*")
        with self._service_connection() as connection:
            searched = self.settings.membership == "search"
            people_by_group = self._people_by_group(connection) if searched else {}
            for dn, entry in self._paged(
                connection, self.settings.user_base, people_filter, self._requested_attributes()
            ):
                own_dn = normalise_dn(dn)
                groups = self._direct_groups(connection, dn, entry) | frozenset(
                    group for group, people in people_by_group.items() if own_dn in people
                )
                try:
                    yield self._person(connection, dn, entry, groups)
                except DirectoryError as problem:
                    log.warning("skipping directory entry: %s", problem)

    def _paged(
        self, connection: Any, base: str, search_filter: str, attributes: list[str]
    ) -> Iterator[tuple[str, dict[str, list[bytes]]]]:
        control = SimplePagedResultsControl(True, size=self.settings.page_size, cookie="")
        while True:
            message = connection.search_ext(
                base, ldap.SCOPE_SUBTREE, search_filter, attributes, serverctrls=[control]
            )
            _, entries, _, controls = connection.result3(message, timeout=self.settings.timeout)
            yield from ((dn, entry) for dn, entry in entries if dn is not None)
            cookie = next(
                (
                    c.cookie
                    for c in controls
                    if c.controlType == SimplePagedResultsControl.controlType
                ),
                None,
            )
            if not cookie:
                return
            control.cookie = cookie

    # -- groups and roles ---------------------------------------------------------------

    def _direct_groups(
        self, connection: Any, dn: str, entry: dict[str, list[bytes]]
    ) -> frozenset[str]:
        """The groups in ``dn``'s memberOf (none when memberships are searched instead)."""
        if self.settings.membership != "memberof":
            return frozenset()
        values = self.ranges.all_values(connection, dn, "memberOf", entry)
        return frozenset(normalise_dn(value.decode("utf-8", errors="replace")) for value in values)

    def _groups(self, connection: Any, dn: str, entry: dict[str, list[bytes]]) -> frozenset[str]:
        """The groups that hold ``dn`` directly: its memberOf, or one group search."""
        if self.settings.membership == "memberof":
            return self._direct_groups(connection, dn, entry)
        return self._search_groups(connection, self._member_filter({dn}))

    def _all_groups(
        self, connection: Any, dn: str, entry: dict[str, list[bytes]]
    ) -> frozenset[str]:
        """Every group ``dn`` is in, at any depth: for people to read, not for sign-in."""
        if self.settings.active_directory and self.settings.nested_groups:
            return self._search_groups(
                connection, f"(member:{IN_CHAIN}:={escape_filter_chars(dn)})"
            )
        groups = self._groups(connection, dn, entry)
        if not self.settings.nested_groups:
            return groups
        found, frontier = set(groups), set(groups)
        while frontier:  # one level up per search; a cycle ends the walk
            frontier = set(self._search_groups(connection, self._member_filter(frontier))) - found
            found |= frontier
        return frozenset(found)

    def _member_filter(self, dns: set[str] | frozenset[str]) -> str:
        attribute = self.settings.member_attribute
        terms = "".join(f"({attribute}={escape_filter_chars(dn)})" for dn in sorted(dns))
        return f"(|{terms})"

    def _search_groups(self, connection: Any, search_filter: str) -> frozenset[str]:
        assert self.settings.group_base, "settings require a group base for group searches"
        return frozenset(
            normalise_dn(dn)
            for dn, _ in self._paged(connection, self.settings.group_base, search_filter, ["1.1"])
        )

    def _roles(self, connection: Any, groups: frozenset[str]) -> frozenset[str]:
        """Mapped roles whose groups (or groups nested in them) hold one of ``groups``."""
        index = self._role_index(connection)
        return frozenset(role for role, covered in index.items() if covered & groups)

    def _role_index(self, connection: Any) -> dict[str, frozenset[str]]:
        """Role → its mapped groups plus every group nested inside them.

        With it, a person's direct groups decide their roles without a walk per
        sign-in. It is kept for ROLE_INDEX_SECONDS per configuration: a change in how
        groups nest shows within that time; a change in who is in a group, at once.
        """
        if not self.settings.nested_groups:
            return self.role_groups
        key = json.dumps(
            [self.settings.urls, self.settings.group_base, self.settings.role_map], sort_keys=True
        )
        expires, index = _role_indexes.get(key, (0.0, {}))
        if expires < time.monotonic():
            index = {
                role: self._groups_within(connection, groups)
                for role, groups in self.role_groups.items()
            }
            _role_indexes[key] = (time.monotonic() + ROLE_INDEX_SECONDS, index)
        return index

    def _groups_within(self, connection: Any, groups: frozenset[str]) -> frozenset[str]:
        """``groups`` and every group inside them at any depth; a cycle ends the walk."""
        if self.settings.active_directory:
            terms = "".join(
                f"(memberOf:{IN_CHAIN}:={escape_filter_chars(g)})" for g in sorted(groups)
            )
            return groups | self._search_groups(connection, f"(|{terms})")
        found, frontier = set(groups), set(groups)
        while frontier:
            inner = {
                m
                for group in frontier
                for m in self._members(connection, group)
                if self._is_group(m)
            }
            frontier = inner - found
            found |= frontier
        return frozenset(found)

    def _members(self, connection: Any, group: str) -> frozenset[str]:
        """The DNs a group lists directly (people and groups), however many there are."""
        try:
            values = self.ranges.all_values(connection, group, self.settings.member_attribute)
        except ldap.NO_SUCH_OBJECT:
            log.warning("role map names a group that does not exist: %s", group)
            return frozenset()
        return frozenset(normalise_dn(value.decode("utf-8", errors="replace")) for value in values)

    def _people_by_group(self, connection: Any) -> dict[str, frozenset[str]]:
        """For a full listing in search mode: each group that can grant a role → its people.

        Only those groups are read, so a huge "all staff" group elsewhere costs nothing.
        """
        covered = frozenset().union(*self._role_index(connection).values())
        return {
            group: frozenset(m for m in self._members(connection, group) if not self._is_group(m))
            for group in covered
        }

    def _is_group(self, dn: str) -> bool:
        base = self.settings.group_base
        return bool(base) and dn.endswith(normalise_dn(base))


_role_indexes: dict[str, tuple[float, dict[str, frozenset[str]]]] = {}


def _check_username(username: str) -> None:
    if not username or not username.strip():
        raise InvalidCredentials(reason="empty_username")
    if "\0" in username or len(username) > MAX_USERNAME_LENGTH:
        raise InvalidCredentials(reason="invalid_characters")
