"""The demo's own company directory: a local slapd holding the demo employees.

Employees in the demo sign in through it, so the demo exercises the real
search-then-bind path. Entry ids are derived from the usernames, so the people
synced on an earlier run are recognised on the next.
"""

from __future__ import annotations

import json
import secrets
import uuid

from intrapreneur.cli.demo_data import EMPLOYEES
from intrapreneur.cli.demo_data.people import WORKPLACES
from intrapreneur.identity.local_directory import (
    GROUPS,
    PEOPLE,
    SERVICE_DN,
    Employee,
    Group,
    LocalDirectoryServer,
    base_ldif,
    group_dn,
    organisation_ldif,
)
from intrapreneur.identity.models import Role

DEMO_NAMESPACE = uuid.UUID("5d1c3b0e-6f0a-4a8e-9a57-2f1f4c1f0d2a")
ROLE_GROUPS = {
    Role.HR: "programme-team",
    Role.ADMIN: "it-owners",
    Role.FACILITATOR: "facilitators",
    Role.SPONSOR: "programme-sponsors",
}


def _demo_employees(password: str) -> list[Employee]:
    return [
        Employee(
            uid=username,
            name=name,
            password=password,
            department=department,
            business_unit=unit,
            country=WORKPLACES[username][0],
            location=WORKPLACES[username][1],
            title=title,
            manager=manager,
            entry_uuid=str(uuid.uuid5(DEMO_NAMESPACE, username)),
        )
        for username, name, (unit, department), title, manager, _ in EMPLOYEES
    ]


def _demo_groups() -> list[Group]:
    return [
        Group(cn, [username for username, *_, roles in EMPLOYEES if role in roles])
        for role, cn in ROLE_GROUPS.items()
    ]


def start_demo_directory(employee_password: str) -> tuple[LocalDirectoryServer, dict[str, str]]:
    """Start the server and return it with the INTRAPRENEUR_LDAP_* settings that reach it."""
    service_password = secrets.token_urlsafe(24)
    ldif = (
        base_ldif(service_password)
        + "\n"
        + organisation_ldif(_demo_employees(employee_password), _demo_groups())
    )
    server = LocalDirectoryServer(initial_ldif=ldif, anonymous_bind=False)
    server.start()
    settings = {
        "INTRAPRENEUR_LDAP_URL": server.ldap_uri,
        "INTRAPRENEUR_LDAP_BIND_DN": SERVICE_DN,
        "INTRAPRENEUR_LDAP_BIND_PASSWORD": service_password,
        "INTRAPRENEUR_LDAP_USER_BASE": PEOPLE,
        "INTRAPRENEUR_LDAP_GROUP_BASE": GROUPS,
        # slapadd does not run the memberOf overlay, so the demo searches groups instead.
        "INTRAPRENEUR_LDAP_GROUP_MEMBERSHIP": "search",
        "INTRAPRENEUR_LDAP_NESTED_GROUPS": "true",
        "INTRAPRENEUR_LDAP_ROLE_MAP": json.dumps(
            {role.value: [group_dn(cn)] for role, cn in ROLE_GROUPS.items()}
        ),
    }
    return server, settings
