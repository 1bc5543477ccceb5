"""The data-protection settings an administrator chose (retention periods, what erasure
does to each kind of text); no row for a setting means its default (``settings.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from intrapreneur.core.models import UTCDateTime
from intrapreneur.extensions import db


class PrivacySetting(db.Model):
    """One setting's value as text (a number of days, months or years, or a text mode),
    checked against its definition whenever it is written or read."""

    __tablename__ = "privacy_setting"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(20))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
