"""The demo's people: business units and their departments, employees in four countries
with their managers and roles, and guests."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, timedelta

from intrapreneur.cli.demo_data.summary import SeedSummary, get_or_create
from intrapreneur.identity.models import (
    BusinessUnit,
    Department,
    Person,
    PersonKind,
    PersonRole,
    Role,
)
from intrapreneur.identity.passwords import hash_password

RETAIL, WHOLESALE, GROUP = "Retail", "Wholesale", "Group Services"
# (business unit, department): "Finance" in Retail and in Wholesale are two departments.
DEPARTMENTS = [
    (RETAIL, "Finance"),
    (RETAIL, "Operations"),
    (RETAIL, "Sales"),
    (RETAIL, "Customer Service"),
    (WHOLESALE, "Finance"),
    (WHOLESALE, "Product & Engineering"),
    (GROUP, "People & Culture"),
    (GROUP, "IT"),
]
LONDON, MANCHESTER, BERLIN, HAMBURG, MADRID, LYON = (
    ("GB", "London"),
    ("GB", "Manchester"),
    ("DE", "Berlin"),
    ("DE", "Hamburg"),
    ("ES", "Madrid"),
    ("FR", "Lyon"),
)

# username, name, (unit, department), title, manager username, extra roles
EMPLOYEES: list[tuple[str, str, tuple[str, str], str, str | None, tuple[Role, ...]]] = [
    (
        "mlindqvist",
        "Marcus Lindqvist",
        (RETAIL, "Operations"),
        "Chief Operating Officer",
        None,
        (Role.MANAGER, Role.SPONSOR),
    ),
    (
        "praman",
        "Priya Raman",
        (WHOLESALE, "Product & Engineering"),
        "Head of Product",
        "mlindqvist",
        (Role.MANAGER,),
    ),
    (
        "jwhitfield",
        "James Whitfield",
        (WHOLESALE, "Finance"),
        "Finance Director",
        "mlindqvist",
        (Role.MANAGER,),
    ),
    (
        "hokafor",
        "Helen Okafor",
        (GROUP, "People & Culture"),
        "Programme Lead",
        "mlindqvist",
        (Role.HR,),
    ),
    ("amira", "Amira Haddad", (GROUP, "IT"), "IT Service Owner", "mlindqvist", (Role.ADMIN,)),
    (
        "radeyemi",
        "Ruth Adeyemi",
        (GROUP, "People & Culture"),
        "Learning Facilitator",
        "hokafor",
        (Role.FACILITATOR,),
    ),
    ("tbecker", "Tom Becker", (RETAIL, "Finance"), "Financial Analyst", "jwhitfield", ()),
    ("gliu", "Grace Liu", (WHOLESALE, "Finance"), "Procurement Specialist", "jwhitfield", ()),
    (
        "dkim",
        "Daniel Kim",
        (WHOLESALE, "Product & Engineering"),
        "Software Engineer",
        "praman",
        (),
    ),
    (
        "jmeyer",
        "Jonas Meyer",
        (WHOLESALE, "Product & Engineering"),
        "UX Designer",
        "praman",
        (),
    ),
    ("salves", "Sofia Alves", (RETAIL, "Sales"), "Account Manager", "mlindqvist", ()),
    ("cmartin", "Chloe Martin", (RETAIL, "Sales"), "Sales Operations Analyst", "mlindqvist", ()),
    ("lfischer", "Lena Fischer", (RETAIL, "Operations"), "Logistics Planner", "mlindqvist", ()),
    ("osaid", "Omar Said", (RETAIL, "Customer Service"), "Team Leader", "mlindqvist", ()),
]
# username -> (ISO 3166-1 country, location): four countries, six sites.
WORKPLACES: dict[str, tuple[str, str]] = {
    "mlindqvist": LONDON,
    "praman": LONDON,
    "jwhitfield": BERLIN,
    "hokafor": LONDON,
    "amira": MANCHESTER,
    "radeyemi": MANCHESTER,
    "tbecker": HAMBURG,
    "gliu": BERLIN,
    "dkim": BERLIN,
    "jmeyer": HAMBURG,
    "salves": MADRID,
    "cmartin": LYON,
    "lfischer": LONDON,
    "osaid": MADRID,
}

# email, name, extra roles
GUESTS: list[tuple[str, str, tuple[Role, ...]]] = [
    ("nina@petrova-ventures.example", "Nina Petrova", (Role.FACILITATOR,)),
    ("leo@santos-labs.example", "Leo Santos", ()),
]


def demo_passphrase() -> str:
    words = ["harbour", "lantern", "meadow", "copper", "violet", "summit", "orchard", "falcon"]
    return "-".join(secrets.choice(words) for _ in range(4)) + f"-{secrets.randbelow(90) + 10}"


def seed_people(
    summary: SeedSummary, today: date, advance: Callable[[int], None]
) -> dict[str, Person]:
    """Every demo person by username (employees) or email (guests); the guests get new
    passwords, which the summary lists. ``advance(1)`` after each department and person."""
    people: dict[str, Person] = {}
    units = {
        unit: get_or_create(summary, BusinessUnit, {"name": unit})
        for unit in dict.fromkeys(unit for unit, _ in DEPARTMENTS)
    }
    departments = {}
    for unit, name in DEPARTMENTS:
        departments[(unit, name)] = get_or_create(
            summary, Department, {"name": name, "business_unit": units[unit]}
        )
        advance(1)
    for username, name, department, title, manager, roles in EMPLOYEES:
        country, location = WORKPLACES[username]
        person = get_or_create(
            summary,
            Person,
            {"username": username},
            kind=PersonKind.EMPLOYEE,
            email=f"{username}@corp.example",
            display_name=name,
            title=title,
            department=departments[department],
            business_unit=units[department[0]],
            country=country,
            location=location,
            manager=people.get(manager) if manager else None,
        )
        _grant(person, (Role.EMPLOYEE, *roles))
        people[username] = person
        held = sorted(role.value for role in person.role_names | {Role.EMPLOYEE, *roles})
        summary.employees.append(f"{username:<11} {name} ({', '.join(held)})")
        advance(1)
    for email, name, roles in GUESTS:
        guest = get_or_create(
            summary,
            Person,
            {"email": email},
            kind=PersonKind.GUEST,
            display_name=name,
            access_ends_on=today + timedelta(days=180),
        )
        _grant(guest, (Role.GUEST, *roles))
        passphrase = demo_passphrase()
        guest.password_hash = hash_password(passphrase)
        summary.guest_passwords[email] = passphrase
        people[email] = guest
        advance(1)
    return people


def _grant(person: Person, roles: tuple[Role, ...]) -> None:
    for role in roles:
        if role not in person.role_names:
            person.roles.append(PersonRole(role=role))
