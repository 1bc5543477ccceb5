"""What a backup's lines hold, and how a value travels in one, for writing and restoring alike."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from importlib import metadata
from typing import Any

from sqlalchemy import Column, Enum, String, Table, type_coerce

from intrapreneur.extensions import db

FORMAT = "intrapreneur-backup"
FORMAT_VERSION = 1
BATCH_ROWS = 1000

Progress = Callable[[int], None]


class BackupError(Exception):
    """The backup or restore stopped; the message is one line for the operator."""


@dataclass
class Summary:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    def describe(self, verb: str) -> str:
        tables = sum(1 for count in self.rows.values() if count)
        return (
            f"{verb} {sum(self.rows.values())} rows in {tables} of {len(self.rows)} tables "
            f"(schema revision {self.revision})."
        )


def tables() -> list[Table]:
    # Parents before children; every model module is imported by create_app.
    return list(db.metadata.sorted_tables)


def app_version() -> str:
    try:
        return metadata.version("intrapreneur")
    except metadata.PackageNotFoundError:
        return "unknown"


def wire(column: Column[Any]) -> Any:
    """The column as stored: enums travel as their plain string values."""
    return type_coerce(column, String()) if isinstance(column.type, Enum) else column


def wire_type(column: Column[Any]) -> Any:
    return String() if isinstance(column.type, Enum) else column.type


def encode_value(value: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return {"$json": value}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _unknown(value: Any) -> Any:
    # A column type added without teaching encode_value about it: stop, rather than guess.
    raise BackupError(f"this version cannot write values of type {type(value).__name__}")


DECODERS: dict[str, Callable[[Any], Any]] = {
    "$json": lambda value: value,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$decimal": Decimal,
    "$bytes": lambda value: base64.b64decode(value, validate=True),
}


def decode_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, raw),) = value.items()
    return DECODERS[tag](raw)


def line(value: Any) -> str:
    """One line of the file: compact JSON and a newline."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_unknown) + "\n"


def check_header(header: Any) -> dict[str, Any]:
    """The header, if it is one this version reads; BackupError otherwise."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("this is not an Intrapreneur backup file")
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format {header.get('format_version')} is not supported "
            f"by this version (it reads format {FORMAT_VERSION})"
        )
    if not isinstance(header.get("rows"), dict) or not header.get("schema_revision"):
        raise BackupError("the backup header is incomplete")
    return header
