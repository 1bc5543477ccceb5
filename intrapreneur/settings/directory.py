"""The company directory's settings (``INTRAPRENEUR_LDAP_*``): OpenLDAP or Active Directory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from intrapreneur.settings.reading import (
    PREFIX,
    ConfigError,
    flag,
    json_object,
    read,
    seconds,
    whole_number,
)

OPENLDAP_ATTRIBUTES = {
    "id": "entryUUID",
    "username": "uid",
    "email": "mail",
    "name": "cn",
    "department": "departmentNumber",
    "title": "title",
    "manager": "manager",
    # Optional, read only when mapped: no standard schema has a time zone attribute.
    "time_zone": "",
    # inetOrgPerson's (and AD's) language preference, e.g. "de-AT" or "fr, en;q=0.8";
    # "" to ignore it.
    "locale": "preferredLanguage",
    # Where people work: an ISO 3166-1 alpha-2 country code, a site or city, and a business
    # unit (AD: "c", "l" and usually "division"); "" to ignore one.
    "country": "c",
    "location": "l",
    "business_unit": "businessCategory",
}
MAPPABLE_ROLES = ("facilitator", "manager", "hr", "admin", "sponsor")
MEMBERSHIP_MODES = ("memberof", "search")


@dataclass(frozen=True)
class DirectorySettings:
    """How to reach and read the company directory (OpenLDAP or Active Directory)."""

    urls: tuple[str, ...]
    bind_dn: str | None
    bind_password: str | None = field(repr=False)
    user_base: str
    user_filter: str
    group_base: str | None
    membership: str
    member_attribute: str
    nested_groups: bool
    active_directory: bool
    role_map: dict[str, tuple[str, ...]]
    attributes: dict[str, str]
    start_tls: bool
    ca_file: str | None
    timeout: float
    page_size: int


def _role_map(env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    mapping = json_object(env, "LDAP_ROLE_MAP")
    for role, groups in mapping.items():
        if role not in MAPPABLE_ROLES:
            raise ConfigError(
                f"{PREFIX}LDAP_ROLE_MAP maps unknown role {role!r}; "
                f"use {', '.join(MAPPABLE_ROLES)} (everyone in the user base is an employee)"
            )
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise ConfigError(f"{PREFIX}LDAP_ROLE_MAP[{role!r}] must be a list of group DNs")
    return {role: tuple(groups) for role, groups in mapping.items()}  # type: ignore[arg-type]


def _attributes(env: Mapping[str, str]) -> dict[str, str]:
    overrides = json_object(env, "LDAP_ATTR_MAP")
    unknown = set(overrides) - set(OPENLDAP_ATTRIBUTES)
    if unknown:
        raise ConfigError(
            f"{PREFIX}LDAP_ATTR_MAP has unknown fields {sorted(unknown)}; "
            f"known: {', '.join(OPENLDAP_ATTRIBUTES)}"
        )
    return {**OPENLDAP_ATTRIBUTES, **{k: str(v) for k, v in overrides.items()}}


def load_directory(env: Mapping[str, str]) -> DirectorySettings | None:
    """The directory settings alone; None when INTRAPRENEUR_LDAP_URL is not set."""
    urls = tuple((read(env, "LDAP_URL") or "").split())
    if not urls:
        return None
    for url in urls:
        if not url.startswith(("ldap://", "ldaps://")):
            raise ConfigError(f"{PREFIX}LDAP_URL entries must start with ldap:// or ldaps://")
    user_base = read(env, "LDAP_USER_BASE")
    if not user_base:
        raise ConfigError(f"{PREFIX}LDAP_USER_BASE is not set: where are the people?")
    user_filter = read(env, "LDAP_USER_FILTER") or "(&(objectClass=inetOrgPerson)(uid={username}))"
    if "{username}" not in user_filter:
        raise ConfigError(f"{PREFIX}LDAP_USER_FILTER must contain {{username}}")
    membership = (read(env, "LDAP_GROUP_MEMBERSHIP") or "memberof").lower()
    if membership not in MEMBERSHIP_MODES:
        raise ConfigError(f"{PREFIX}LDAP_GROUP_MEMBERSHIP must be memberof or search")
    group_base = read(env, "LDAP_GROUP_BASE")
    if (membership == "search" or flag(env, "LDAP_NESTED_GROUPS")) and not group_base:
        raise ConfigError(f"{PREFIX}LDAP_GROUP_BASE is needed to search groups")
    return DirectorySettings(
        urls=urls,
        bind_dn=read(env, "LDAP_BIND_DN"),
        bind_password=read(env, "LDAP_BIND_PASSWORD"),
        user_base=user_base,
        user_filter=user_filter,
        group_base=group_base,
        membership=membership,
        member_attribute=read(env, "LDAP_GROUP_MEMBER_ATTRIBUTE") or "member",
        nested_groups=flag(env, "LDAP_NESTED_GROUPS"),
        active_directory=flag(env, "LDAP_ACTIVE_DIRECTORY"),
        role_map=_role_map(env),
        attributes=_attributes(env),
        start_tls=flag(env, "LDAP_START_TLS"),
        ca_file=read(env, "LDAP_CA_FILE"),
        timeout=seconds(env, "LDAP_TIMEOUT", 5, 120),
        page_size=whole_number(env, "LDAP_PAGE_SIZE", 500),
    )
