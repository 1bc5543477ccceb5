"""What a SAML sign-in keeps between the redirect to the IdP and the IdP's answer, and the
answers already used: in the database, so every web process sees the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from intrapreneur.core.models import UTCDateTime
from intrapreneur.extensions import db


class SamlRequest(db.Model):
    """An AuthnRequest sent and not yet answered. The IdP's answer arrives as a cross-site
    POST, which carries no SameSite=Lax session cookie: the request is kept here, by its
    id, with a hash of the token in the browser's own SameSite=None cookie for this trip."""

    __tablename__ = "saml_request"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    next_url: Mapped[str] = mapped_column(String(2048))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SamlUsedId(db.Model):
    """An assertion ID or answered request ID, kept until the assertion's NotOnOrAfter has
    passed (then no signature check would accept it anyway): a second use is a replay."""

    __tablename__ = "saml_used_id"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
