"""A throwaway OpenLDAP server for the demo and the tests.

It runs Debian's real ``slapd`` through python-ldap's ``slapdtest`` helper,
with the schemas people need (inetOrgPerson: mail, departmentNumber, title,
manager) and the memberOf/refint overlays, so group membership, ``memberOf``
and ``entryUUID`` behave as on a company server.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from slapdtest import SlapdObject

SUFFIX = "dc=corp,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SERVICE_DN = f"cn=intrapreneur,ou=services,{SUFFIX}"

_MEMBEROF_OVERLAY = """
dn: olcOverlay=memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: memberof
olcMemberOfRefInt: TRUE

dn: olcOverlay=refint,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: refint
olcRefintAttribute: memberof member manager
"""


# Active Directory's account flags, so tests can mark an account disabled as AD does, and
# its country attribute "c", which inetOrgPerson lacks (the objectClass OID is in a private
# test arc).
_AD_COMPATIBLE_SCHEMA = """
dn: cn=adcompat,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adcompat
olcAttributeTypes: ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.99999.1.1 NAME 'adCompatibleAccount'
  AUXILIARY MAY ( userAccountControl $ c ) )
"""


# A time zone per person, as an organisation may add to its schema (no standard one has it):
# read when INTRAPRENEUR_LDAP_ATTR_MAP maps "time_zone" to "timeZone".
_TIME_ZONE_SCHEMA = """
dn: cn=timezone,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: timezone
olcAttributeTypes: ( 1.3.6.1.4.1.99999.2.1 NAME 'timeZone'
  EQUALITY caseExactMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.99999.1.2 NAME 'zonedAccount'
  AUXILIARY MAY timeZone )
"""


class LocalDirectoryServer(SlapdObject):
    """slapd on a free loopback port; ``size_limit`` imitates AD's page limit,
    ``anonymous_bind`` makes an empty-password bind succeed as on many real servers."""

    suffix = SUFFIX
    root_cn = "admin"
    slapd_loglevel = "0"
    openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif")
    TMPDIR = tempfile.gettempdir()

    def __init__(
        self, *, size_limit: int = 500, anonymous_bind: bool = True, initial_ldif: str = ""
    ) -> None:
        super().__init__()
        # Loaded with slapadd before the server starts: fast, and it may set entryUUID
        # (stable ids across restarts); overlays do not run, so memberOf stays empty.
        self.initial_ldif = initial_ldif
        template = self.slapd_conf_template.replace(
            "olcModuleLoad: back_%(database)s",
            "olcModuleLoad: back_%(database)s\nolcModuleLoad: memberof\nolcModuleLoad: refint",
        ).replace(
            "olcDbDirectory: %(directory)s",
            # Like AD: at most size_limit entries per search, any number when paging.
            f"olcDbDirectory: %(directory)s\nolcSizeLimit: size.soft={size_limit} "
            f"size.hard={size_limit} size.prtotal=unlimited",
        )
        if anonymous_bind:
            template = template.replace("olcAllows: bind_v2", "olcAllows: bind_v2 bind_anon_dn")
        self.slapd_conf_template = template

    def _write_config(self) -> None:
        super()._write_config()
        self.slapadd(_AD_COMPATIBLE_SCHEMA, ["-n0"])
        self.slapadd(_TIME_ZONE_SCHEMA, ["-n0"])
        self.slapadd(_MEMBEROF_OVERLAY, ["-n0"])
        if self.initial_ldif:
            self.slapadd(self.initial_ldif, ["-n1"])


@dataclass
class Employee:
    uid: str
    name: str
    password: str
    department: str = ""
    title: str = ""
    manager: str | None = None  # uid
    mail: str | None = None
    entry_uuid: str | None = None  # only honoured by slapadd (initial_ldif)
    time_zone: str = ""
    language: str = ""  # preferredLanguage, e.g. "de-AT"
    country: str = ""  # two letters, e.g. "DE"
    location: str = ""  # l, e.g. "Berlin"
    business_unit: str = ""  # businessCategory, e.g. "Retail"


@dataclass
class Group:
    cn: str
    members: list[str] = field(default_factory=list)  # uids, or "group:<cn>" for nesting


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


def base_ldif(service_password: str) -> str:
    """The suffix, the two branches and the service account Intrapreneur binds as."""
    return f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: corp
o: Example Corporation

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people

dn: {GROUPS}
objectClass: organizationalUnit
ou: groups

dn: ou=services,{SUFFIX}
objectClass: organizationalUnit
ou: services

dn: {SERVICE_DN}
objectClass: person
objectClass: simpleSecurityObject
cn: intrapreneur
sn: service
userPassword: {service_password}
"""


def employee_ldif(employee: Employee) -> str:
    surname = employee.name.split()[-1]
    lines = [
        f"dn: {person_dn(employee.uid)}",
        "objectClass: inetOrgPerson",
        f"uid: {employee.uid}",
        f"cn: {employee.name}",
        f"sn: {surname}",
        f"mail: {employee.mail or employee.uid + '@corp.example'}",
        f"userPassword: {employee.password}",
    ]
    if employee.department:
        lines.append(f"departmentNumber: {employee.department}")
    if employee.title:
        lines.append(f"title: {employee.title}")
    if employee.manager:
        lines.append(f"manager: {person_dn(employee.manager)}")
    if employee.entry_uuid:
        lines.append(f"entryUUID: {employee.entry_uuid}")
    if employee.time_zone:
        lines += ["objectClass: zonedAccount", f"timeZone: {employee.time_zone}"]
    if employee.language:
        lines.append(f"preferredLanguage: {employee.language}")
    if employee.country:
        lines += ["objectClass: adCompatibleAccount", f"c: {employee.country}"]
    if employee.location:
        lines.append(f"l: {employee.location}")
    if employee.business_unit:
        lines.append(f"businessCategory: {employee.business_unit}")
    return "\n".join(lines) + "\n"


def group_ldif(group: Group) -> str:
    lines = [f"dn: {group_dn(group.cn)}", "objectClass: groupOfNames", f"cn: {group.cn}"]
    # groupOfNames needs a member; an empty group names itself, which grants nothing.
    members = [
        group_dn(member.removeprefix("group:"))
        if member.startswith("group:")
        else person_dn(member)
        for member in group.members
    ] or [group_dn(group.cn)]
    lines += [f"member: {member}" for member in members]
    return "\n".join(lines) + "\n"


def organisation_ldif(employees: Iterable[Employee], groups: Iterable[Group]) -> str:
    """People first (managers before their reports), then groups, which fill memberOf."""
    ordered = _managers_first(list(employees))
    parts = [employee_ldif(e) for e in ordered] + [group_ldif(g) for g in groups]
    return "\n".join(parts)


def _managers_first(employees: list[Employee]) -> list[Employee]:
    by_uid = {e.uid: e for e in employees}
    placed: dict[str, Employee] = {}

    def place(employee: Employee, seen: frozenset[str] = frozenset()) -> None:
        if employee.uid in placed:
            return
        manager = by_uid.get(employee.manager or "")
        if manager is not None and manager.uid not in seen:
            place(manager, seen | {employee.uid})
        placed[employee.uid] = employee

    for employee in employees:
        place(employee)
    return list(placed.values())
