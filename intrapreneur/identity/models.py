"""People, their roles, business units and departments, and guest invitations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intrapreneur.core.models import CreatedAtMixin, UTCDateTime, string_enum
from intrapreneur.core.timezones import organisation_zone_name
from intrapreneur.extensions import db


class PersonKind(StrEnum):
    EMPLOYEE = "employee"
    GUEST = "guest"


class Role(StrEnum):
    EMPLOYEE = "employee"
    FACILITATOR = "facilitator"
    MANAGER = "manager"
    HR = "hr"
    ADMIN = "admin"
    GUEST = "guest"
    # Executives who sponsor the programme: the portfolio's figures, no venture's content.
    SPONSOR = "sponsor"


# How each role is named to people; its value is what is stored and audited.
ROLE_LABELS = {
    Role.EMPLOYEE: _l("employee"),
    Role.FACILITATOR: _l("facilitator"),
    Role.MANAGER: _l("manager"),
    Role.HR: _l("HR"),
    Role.ADMIN: _l("administrator"),
    Role.GUEST: _l("guest entrepreneur"),
    Role.SPONSOR: _l("sponsor"),
}


def role_text(roles: Iterable[str]) -> str:
    """Roles named in the reader's language, in its alphabetical order ("employee, HR")."""
    return ", ".join(sorted((str(ROLE_LABELS.get(role, role)) for role in roles), key=str.lower))


class BusinessUnit(CreatedAtMixin, db.Model):
    """A division of the organisation (from the directory's business unit attribute)."""

    __tablename__ = "business_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Department(CreatedAtMixin, db.Model):
    """A department is known by its name within its business unit: "Finance" in Retail and
    "Finance" in Wholesale are two departments. Departments outside any unit (a directory
    without units, or rows from before units existed) have unique names among themselves."""

    __tablename__ = "department"
    __table_args__ = (
        UniqueConstraint("business_unit_id", "name", name="uq_department_unit_name"),
        # NULLs are distinct in a unique constraint, so the unit-less need their own index.
        Index(
            "uq_department_name_without_unit",
            "name",
            unique=True,
            sqlite_where=text("business_unit_id IS NULL"),
            postgresql_where=text("business_unit_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    business_unit_id: Mapped[int | None] = mapped_column(ForeignKey("business_unit.id"), index=True)

    business_unit: Mapped[BusinessUnit | None] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        """The name as printed wherever departments of several units meet: "Finance (Retail)"."""
        return department_label(self.name, self.business_unit.name if self.business_unit else None)


def place_label(location: str | None, country: str | None) -> str | None:
    """Site and country ("Berlin, DE"): Berlin in Germany and Berlin in the USA are two
    places; the country alone where the site is not known."""
    return ", ".join(part for part in (location, country) if part) or None


# Where someone works, as the figures by place count it: (business unit id, country code,
# location as "site, country"), None where unknown.
PlaceKey = tuple[str | None, str | None, str | None]


def place_key(business_unit_id: int | None, country: str | None, location: str | None) -> PlaceKey:
    """The place of a row read from the person (or response) columns of the same names."""
    unit = None if business_unit_id is None else str(business_unit_id)
    return unit, country, place_label(location, country)


def department_label(name: str, unit: str | None) -> str:
    """A department's name with its business unit, for lists that mix units."""
    return f"{name} ({unit})" if unit else name


class Person(CreatedAtMixin, db.Model):
    """Anyone who can sign in: an employee (from the directory) or a guest entrepreneur."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PersonKind] = mapped_column(string_enum(PersonKind, "person_kind"))
    # Directory identity (employees only): the stable id (entryUUID / objectGUID) is who
    # the person is; username, DN and the rest are refreshed from the directory.
    directory_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    directory_dn: Mapped[str | None] = mapped_column(String(1024), index=True)
    # The OpenID provider's id of the person (INTRAPRENEUR_OIDC_MATCH_CLAIM sub or oid),
    # stored at their first single sign-on and matched from then on.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The SAML IdP's persistent NameID of the person (INTRAPRENEUR_SAML_MATCH=name_id), alike.
    saml_name_id: Mapped[str | None] = mapped_column(String(256), unique=True)
    # The manager's DN as the directory gives it, resolved to manager_id when that person is known.
    manager_dn: Mapped[str | None] = mapped_column(String(1024), index=True)
    username: Mapped[str | None] = mapped_column(String(128), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    business_unit_id: Mapped[int | None] = mapped_column(ForeignKey("business_unit.id"), index=True)
    # ISO 3166-1 alpha-2 (identity.countries), None when the directory gives none or an
    # unknown code; the location is the directory's site or city, as it spells it.
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    location: Mapped[str | None] = mapped_column(String(200), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # Guests only: employees never get a local password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    access_ends_on: Mapped[date | None] = mapped_column(Date)
    # Secret part of the personal calendar feed URL; reset makes old subscriptions stop.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # The zone the person chose on their profile; the directory sync never writes it.
    chosen_time_zone: Mapped[str | None] = mapped_column(String(64))
    # The directory's zone (optional attribute in INTRAPRENEUR_LDAP_ATTR_MAP), refreshed by
    # every sign-in and sync; a name the IANA database does not know is never stored.
    directory_time_zone: Mapped[str | None] = mapped_column(String(64))
    # The language the person chose on their profile (a shipped one); never synced.
    chosen_locale: Mapped[str | None] = mapped_column(String(16))
    # The shipped language the directory's preferredLanguage asks for, refreshed by every
    # sign-in and sync (None when it asks for none of the shipped ones).
    directory_locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the account was last switched off (the leaver's retention period counts from
    # here, or from a guest's access end); empty while it is on.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set by erasure (intrapreneur.privacy): the row is then a tombstone, kept only so
    # figures and other people's records stay whole.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the session cookie's user id: raising it (sign-out, password reset) ends every
    # session signed in before, although the cookies themselves live on in browsers.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Raised by every change HR makes to a guest's access or invitations, in a conditional
    # UPDATE: the second of two HR people acting on the same guest is told to reload. (Not
    # a version_id_col: sign-ins and syncs write this row too, and must not make HR's page stale.)
    access_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    department: Mapped[Department | None] = relationship(lazy="joined")
    business_unit: Mapped[BusinessUnit | None] = relationship(lazy="joined")
    manager: Mapped[Person | None] = relationship(remote_side=[id])
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.roles)

    def has_role(self, *roles: Role) -> bool:
        return not self.role_names.isdisjoint(roles)

    @property
    def is_guest(self) -> bool:
        return self.kind is PersonKind.GUEST

    @property
    def place(self) -> str | None:
        return place_label(self.location, self.country)

    @property
    def time_zone(self) -> str:
        """The zone every time is shown to this person in: their own choice, else the
        directory's, else the organisation's default."""
        return self.chosen_time_zone or self.directory_time_zone or organisation_zone_name()

    @time_zone.setter
    def time_zone(self, name: str | None) -> None:
        """Setting a person's zone is their own choice (None: back to the directory's)."""
        self.chosen_time_zone = name

    @property
    def language_preferences(self) -> tuple[str, ...]:
        """The languages this person asked for, best first: their own choice, then the
        directory's (``core.i18n.reader_locale`` takes the first offered, else the browser's,
        else the organisation's)."""
        return tuple(name for name in (self.chosen_locale, self.directory_locale) if name)

    def access_has_ended(self, today: date) -> bool:
        return self.access_ends_on is not None and today > self.access_ends_on

    def may_act(self, today: date) -> bool:
        """The one rule for a session and for every link or token standing in for one
        (calendar feed, survey link, invitation, reset link, an admin's API token): the
        account is switched on and a guest's access has not ended."""
        return self.active and not self.access_has_ended(today)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def end_all_sessions(self) -> None:
        self.session_version += 1


class PersonRole(db.Model):
    """A role one person holds; ``source`` tells whether the directory or a local grant gave it."""

    __tablename__ = "person_role"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(string_enum(Role, "role"), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), default="local")

    person: Mapped[Person] = relationship(back_populates="roles")


class Invitation(CreatedAtMixin, db.Model):
    """A single-use, expiring invitation for a guest.

    Only a hash of the link's secret is stored, so a database dump cannot be
    turned into working links.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # HR took the invitation back: its link then says so, and nothing more.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    invited_by: Mapped[Person | None] = relationship(foreign_keys=[invited_by_id])

    def is_pending(self, now: datetime) -> bool:
        """Its link may still be used (as far as the invitation itself goes)."""
        return self.accepted_at is None and self.withdrawn_at is None and now < self.expires_at


class PasswordReset(CreatedAtMixin, db.Model):
    """A single-use link, valid for an hour, that lets a guest choose a new password.

    Like invitations, only a hash of the link's secret is stored.
    """

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()


class ApiScope(StrEnum):
    CULTURE_READ = "culture:read"  # the suppressed culture aggregates, nothing else


class ApiClient(CreatedAtMixin, db.Model):
    """An HR system allowed to call the read-only API with a bearer token.

    The token is shown once when created; only its SHA-256 is stored (a database dump
    gives no working token), with its first characters so admins can tell tokens apart.
    Every token expires: an HR system that still needs access gets a new one.
    """

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[ApiScope] = mapped_column(string_enum(ApiScope, "api_scope"))
    token_prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    created_by: Mapped[Person | None] = relationship(lazy="joined")

    def works(self, today: date) -> bool:
        """A token is its issuing admin's delegation: it stops when revoked or when they
        leave (as their own sign-in does); another admin then issues a new one."""
        return (
            self.revoked_at is None
            and self.created_by is not None
            and self.created_by.may_act(today)
        )

    def has_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def expires_within(self, now: datetime, days: int) -> bool:
        """Still working, but not for longer than ``days``: time to issue its successor."""
        return now < self.expires_at <= now + timedelta(days=days)


class LocalMfa(CreatedAtMixin, db.Model):
    """A local account's authenticator app (TOTP): guests and the break-glass admin.

    The secret is kept encrypted with a key derived from the secret key; it is shown once,
    while being set up. Until the first code confirms it, ``enabled_at`` is empty and the
    sign-in asks for nothing.
    """

    __tablename__ = "local_mfa"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: a code, or an earlier one, never works twice.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(CreatedAtMixin, db.Model):
    """One of a local account's single-use codes for a lost authenticator; only its
    SHA-256 is stored, as for link secrets."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
