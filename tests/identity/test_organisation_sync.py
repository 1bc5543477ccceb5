"""Countries, locations and business units from the directory: a department is known within
its unit, and a country code ISO 3166-1 does not know is stored as none and logged once."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from intrapreneur.core.models import AuditEvent
from intrapreneur.extensions import db
from intrapreneur.identity.directory import Directory
from intrapreneur.identity.local_directory import (
    Employee,
    LocalDirectoryServer,
    base_ldif,
    organisation_ldif,
    person_dn,
)
from intrapreneur.identity.models import BusinessUnit, Department, Person
from intrapreneur.identity.sync import sync_directory
from intrapreneur.settings.directory import load_directory
from tests.conftest import SERVICE_PASSWORD, directory_environment

pytestmark = pytest.mark.ldap

PEOPLE = [
    Employee(
        "ann", "Ann Ash", "x", "Finance", country="GB", location="London", business_unit="Retail"
    ),
    Employee(
        "ben",
        "Ben Birch",
        "x",
        "Finance",
        country="de",
        location="Berlin",
        business_unit="Wholesale",
    ),
    Employee(
        "cat",
        "Cat Cedar",
        "x",
        "Finance",
        country="DE",
        location="Munich",
        business_unit="Wholesale",
    ),
    # Unknown codes, as a mistyped entry or a grouping would give them.
    Employee("dom", "Dom Dogwood", "x", "Legal", country="XX", location="Paris"),
    Employee("eve", "Eve Elm", "x", "Legal", country="EU"),
    Employee("fay", "Fay Fir", "x", "Legal", country="XX"),
]


@pytest.fixture(scope="module")
def organisation_server() -> Iterator[LocalDirectoryServer]:
    server = LocalDirectoryServer(size_limit=500)
    server.start()
    try:
        server.ldapadd(base_ldif(SERVICE_PASSWORD))
        server.ldapadd(organisation_ldif(PEOPLE, []))
        yield server
    finally:
        server.stop()


def _sync(server: LocalDirectoryServer) -> None:
    settings = load_directory(directory_environment(server, LDAP_NESTED_GROUPS="false"))
    assert settings is not None
    sync_directory(Directory(settings))


def _people() -> dict[str, Person]:
    return {person.username: person for person in db.session.scalars(select(Person))}


def test_same_named_departments_in_two_units_are_two_departments(
    app: Flask, organisation_server: LocalDirectoryServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="intrapreneur.identity.provisioning"):
        _sync(organisation_server)

    people = _people()
    assert people["ann"].department is not people["ben"].department
    assert people["ben"].department is people["cat"].department
    assert people["ann"].department.label == "Finance (Retail)"
    assert people["ben"].department.label == "Finance (Wholesale)"
    assert people["dom"].department.label == "Legal"  # outside any unit: the name alone
    assert people["ben"].business_unit.name == "Wholesale"
    assert people["dom"].business_unit is None
    assert [(people[u].country, people[u].location) for u in ("ann", "ben", "cat", "dom")] == [
        ("GB", "London"),
        ("DE", "Berlin"),
        ("DE", "Munich"),
        (None, "Paris"),
    ]
    assert people["eve"].country is None and people["fay"].country is None
    warnings = [r.getMessage() for r in caplog.records if "ISO 3166-1" in r.getMessage()]
    assert warnings == [
        "directory country codes that are not ISO 3166-1 alpha-2, stored as no country: "
        "'EU' (1), 'XX' (2)"
    ]
    assert sorted(db.session.scalars(select(BusinessUnit.name))) == ["Retail", "Wholesale"]
    assert db.session.query(Department).count() == 3


def test_a_move_to_another_unit_moves_the_person_to_that_units_department(
    app: Flask, organisation_server: LocalDirectoryServer
) -> None:
    _sync(organisation_server)
    organisation_server.ldapmodify(
        f"dn: {person_dn('ben')}\nchangetype: modify\nreplace: businessCategory\n"
        "businessCategory: Retail\n-\nreplace: l\nl: Leeds\n-\nreplace: c\nc: GB\n"
    )
    try:
        _sync(organisation_server)
    finally:
        organisation_server.ldapmodify(
            f"dn: {person_dn('ben')}\nchangetype: modify\nreplace: businessCategory\n"
            "businessCategory: Wholesale\n-\nreplace: l\nl: Berlin\n-\nreplace: c\nc: DE\n"
        )

    people = _people()
    assert people["ben"].department is people["ann"].department
    assert (people["ben"].country, people["ben"].location) == ("GB", "Leeds")
    update = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.updated").order_by(AuditEvent.id)
    ).all()[-1]
    assert update.details["business_unit"] == "Retail"
    assert update.details["location"] == "Leeds"
