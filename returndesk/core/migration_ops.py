"""Migration operations for tables too large and too busy for what Django's own would do.

Turning ``db_index`` off on a foreign key, or ``unique=True`` into a ``UniqueConstraint``, makes
Django drop and re-add the foreign key (a scan of the table to validate it) or rebuild the unique
index, each under an exclusive lock held to the end of the migration, on the referenced tables
too: minutes of stalled requests on a table of returns or events. Dropping an index and renaming a
constraint take no scan: these do only that, beside the state operations of the same change
(``migrations.SeparateDatabaseAndState``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import migrations


@dataclass(frozen=True)
class Redundant:
    """An index no query needs: a foreign key's, which a longer index leading with its column
    serves, or PostgreSQL's LIKE-prefix twin of a unique text column (``opclass``). ``name`` is the
    one Django gave it, which the reverse gives it again."""

    table: str
    column: str
    name: str
    opclass: str = ""


@dataclass(frozen=True)
class UniqueRenamed:
    """A column's unique constraint that ``unique=True`` made, named as the ``UniqueConstraint``
    replacing it (PostgreSQL; SQLite's stays inline in its table, unnamed, which changes nothing)."""

    table: str
    column: str
    name: str
    old_name: str  # what Django's ``unique=True`` names it, which the reverse names it again


def indexes_trimmed(redundant: Sequence[Redundant], renamed: Sequence[UniqueRenamed] = ()) -> migrations.RunPython:
    """Drop ``redundant`` and rename ``renamed``; the reverse makes them again."""

    def forward(_apps: Any, schema_editor: Any) -> None:
        connection, quote = schema_editor.connection, schema_editor.quote_name
        for index in redundant:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index.name)}")
        if connection.vendor != "postgresql":
            return
        for unique in renamed:
            with connection.cursor() as cursor:
                found = connection.introspection.get_constraints(cursor, unique.table)
            # Found by its column: the name unique=True gave it depends on how the column came to be.
            for name, constraint in found.items():
                if (
                    constraint["unique"]
                    and not constraint["primary_key"]
                    and constraint["columns"] == [unique.column]
                    and name != unique.name
                ):
                    schema_editor.execute(
                        f"ALTER TABLE {quote(unique.table)} RENAME CONSTRAINT {quote(name)} TO {quote(unique.name)}"
                    )

    def reverse(_apps: Any, schema_editor: Any) -> None:
        connection, quote = schema_editor.connection, schema_editor.quote_name
        for index in redundant:
            if index.opclass and connection.vendor != "postgresql":
                continue
            column = f"{quote(index.column)} {index.opclass}".strip()
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(index.name)} ON {quote(index.table)} ({column})")
        if connection.vendor != "postgresql":
            return
        for unique in renamed:
            schema_editor.execute(
                f"ALTER TABLE {quote(unique.table)} RENAME CONSTRAINT {quote(unique.name)} TO {quote(unique.old_name)}"
            )

    return migrations.RunPython(forward, reverse)
