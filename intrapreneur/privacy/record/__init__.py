"""The record of processing, one module per area of the product (types in ``registry``)."""

from __future__ import annotations

from intrapreneur.privacy.record import (
    culture,
    experiments,
    expertise,
    identity,
    learning,
    operations,
    search,
)
from intrapreneur.privacy.registry import Table

TABLES: tuple[Table, ...] = (
    identity.TABLES
    + learning.TABLES
    + experiments.TABLES
    + culture.TABLES
    + expertise.TABLES
    + operations.TABLES
    + search.TABLES
)
BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
