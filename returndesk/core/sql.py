"""Plain SQL for the few hot paths (the verifier, opening a return, every transition's event) where
compiling an ORM query costs more than running it."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def quoted_table(model: type[Model]) -> str:
    """A model's table name, quoted for this backend, to write into plain SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a statement with ``%s`` placeholders and return its rows.

    On PostgreSQL it runs as a prepared statement: planning a five-table join costs several times
    executing it, and the verifier asks the same question thousands of times a second. Django's
    own cursors bind client-side and never prepare, so this one cursor binds on the server.
    ``RETURNDESK_PREPARED_STATEMENTS=0`` turns it off (a transaction-pooling PgBouncer older than
    1.21 cannot keep prepared statements). Those statements bypass Django's cursor wrapper, so
    they log themselves where ``CaptureQueriesContext`` and ``assertNumQueries`` read.
    """
    if connection.vendor == "postgresql" and settings.RETURNDESK["PREPARED_STATEMENTS"]:
        # What Django's own cursor() does first: the health check, then a live connection.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        started = time.monotonic()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            rows = cursor.fetchall()
        if connection.queries_logged:
            connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        return rows
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()  # type: ignore[no-any-return]


def select_columns(model: type[Model], alias: str) -> str:
    """Every column of ``model`` as ``alias."column"``, in the order ``rows_to_instances`` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@functools.cache
def _column_readers(model: type[Model], vendor: str) -> tuple[tuple[str, ...], tuple[Callable[[Any], Any], ...]]:
    """Each concrete field's attribute name, and what turns its raw column value into the model's
    value: the converters the ORM's compiler would apply (SQLite's text datetimes, JSON, ...)."""
    names, readers = [], []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]  # type: ignore[attr-defined]

        def read(value: Any, converters: list[Any] = converters, column: Any = column) -> Any:
            for converter in converters:
                value = converter(value, column, connection)
            return value

        names.append(field.attname)
        readers.append(read)
    return tuple(names), tuple(readers)


def row_to_instances(row: Sequence[Any], *models: type[Model]) -> list[Model]:
    """The instances of ``models`` a row of ``select_columns(model, ...)`` groups holds, in order,
    converted as the ORM converts what it reads."""
    instances: list[Model] = []
    start = 0
    for model in models:
        names, readers = _column_readers(model, connection.vendor)
        values = [read(value) for read, value in zip(readers, row[start : start + len(names)], strict=True)]
        instances.append(model.from_db(connection.alias, names, values))
        start += len(names)
    return instances


@functools.cache
def _insert_statement(model: type[Model], vendor: str, rows: int) -> tuple[str, tuple[Field[Any, Any], ...]]:
    quote = connection.ops.quote_name
    fields = tuple(field for field in model._meta.concrete_fields if field is not model._meta.pk)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"  # noqa: S608
        f" VALUES {', '.join([row] * rows)} RETURNING {quote(model._meta.pk.column)}"
    )
    return sql, fields


def insert_rows(instances: Sequence[M]) -> Sequence[M]:
    """Insert new rows of one model in one statement and set their primary keys, like
    ``bulk_create`` but without compiling a query each time: the statement is built once per model
    and row count (and prepared, on PostgreSQL). No signals are sent; no model of ours has any.
    """
    if not instances:
        return instances
    model = type(instances[0])
    sql, fields = _insert_statement(model, connection.vendor, len(instances))
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for row in instances for field in fields]
    for row, (pk,) in zip(instances, fetch_all(sql, params), strict=True):
        row.pk = pk
        row._state.adding, row._state.db = False, connection.alias
    return instances
