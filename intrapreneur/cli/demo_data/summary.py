"""What a seeding run made, and the look-up-first creation that keeps seeding idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from intrapreneur.extensions import db


@dataclass
class SeedSummary:
    created: dict[str, int] = field(default_factory=dict)
    guest_passwords: dict[str, str] = field(default_factory=dict)
    employees: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    def describe(self) -> str:
        made = ", ".join(f"{n} {kind}" for kind, n in self.created.items()) or "nothing new"
        lines = [f"Demo organisation ready ({made} created)."]
        lines.append("Employees (username, name, roles):")
        lines += [f"  {name}" for name in self.employees]
        lines.append(
            "Guest entrepreneurs sign in with email and password (new passwords each run):"
        )
        lines += [f"  {email}  {password}" for email, password in self.guest_passwords.items()]
        return "\n".join(lines)


def get_or_create(
    summary: SeedSummary, model: type[Any], lookup: dict[str, Any], **values: Any
) -> Any:
    """The record found by its natural key, or a new one counted in the summary."""
    found = db.session.scalar(select(model).filter_by(**lookup))
    if found is not None:
        return found
    record = model(**lookup, **values)
    db.session.add(record)
    summary.count(model.__tablename__)
    return record
