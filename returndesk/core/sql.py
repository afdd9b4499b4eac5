"""Plain SQL for the few hot paths (the verifier, opening a return, every transition's event) where
compiling an ORM query costs more than running it."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def quoted_table(model: type[Model]) -> str:
    """A model's table name, quoted for this backend, to write into plain SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def _database() -> BaseDatabaseWrapper:
    """This thread's default connection itself: ``django.db.connection`` is a proxy that looks it
    up again on every attribute read, which the hot paths below would do dozens of times."""
    return connections[DEFAULT_DB_ALIAS]


def fetch_all(sql: str, params: Sequence[Any], *, prepare: bool = True) -> list[tuple[Any, ...]]:
    """Run a statement with ``%s`` placeholders and return its rows.

    On PostgreSQL it runs as a prepared statement: planning a five-table join costs several times
    executing it, and the verifier asks the same question thousands of times a second. Django's
    own cursors bind client-side and never prepare, so this one cursor binds on the server.
    ``RETURNDESK_PREPARED_STATEMENTS=0`` turns it off (a transaction-pooling PgBouncer older than
    1.21 cannot keep prepared statements). Those statements bypass Django's cursor wrapper, so
    they log themselves where ``CaptureQueriesContext`` and ``assertNumQueries`` read.

    ``prepare=False`` for a one-table lookup of a table that starts empty and grows fast (the
    Idempotency-Key records): after five runs PostgreSQL keeps a generic plan for the connection's
    life, and one made while the table was empty scans it whole, however big it grows, until an
    ANALYZE of the table; planning such a lookup each time costs less than a scan of a few
    thousand rows.
    """
    return _run(sql, params, fetch=True, prepare=prepare)


def _run(sql: str, params: Sequence[Any], *, fetch: bool, prepare: bool = True) -> list[tuple[Any, ...]]:
    db = _database()
    if getattr(db, _QUEUE, None):
        flush_queued()
    if prepare and db.vendor == "postgresql" and settings.RETURNDESK["PREPARED_STATEMENTS"]:
        # What Django's own cursor() does first: the health check, then a live connection.
        db.close_if_health_check_failed()
        db.ensure_connection()
        started = time.monotonic()
        with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            rows = cursor.fetchall() if fetch else []
        if db.queries_logged:
            db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        return rows
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


def select_columns(model: type[Model], alias: str) -> str:
    """Every column of ``model`` as ``alias."column"``, in the order ``rows_to_instances`` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


Reader = Callable[[Any, BaseDatabaseWrapper], Any]


def _identity(value: Any, _db: BaseDatabaseWrapper) -> Any:
    return value


@functools.cache
def _column_readers(model: type[Model], vendor: str) -> tuple[tuple[str, ...], tuple[Reader, ...]]:
    """Each concrete field's attribute name, and what turns its raw column value into the model's
    value: the converters the ORM's compiler would apply (SQLite's text datetimes, JSON, ...)."""
    db = _database()
    names, readers = [], []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = [*db.ops.get_db_converters(column), *field.get_db_converters(db)]  # type: ignore[attr-defined]

        def read(value: Any, db: BaseDatabaseWrapper, converters: list[Any] = converters, column: Any = column) -> Any:
            for converter in converters:
                value = converter(value, column, db)
            return value

        names.append(field.attname)
        readers.append(read if converters else _identity)
    return tuple(names), tuple(readers)


def row_to_instances(row: Sequence[Any], *models: type[Model]) -> list[Model]:
    """The instances of ``models`` a row of ``select_columns(model, ...)`` groups holds, in order,
    converted as the ORM converts what it reads."""
    db = _database()
    instances: list[Model] = []
    start = 0
    for model in models:
        names, readers = _column_readers(model, db.vendor)
        values = [read(value, db) for read, value in zip(readers, row[start : start + len(names)], strict=True)]
        instances.append(model.from_db(db.alias, names, values))
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
    db = _database()
    sql, params = _insert(instances, db)
    _keys_set(instances, [pk for (pk,) in fetch_all(sql, params)], db)
    return instances


def _insert(instances: Sequence[Model], db: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
    sql, fields = _insert_statement(type(instances[0]), db.vendor, len(instances))
    return sql, [field.get_db_prep_save(field.pre_save(row, True), db) for row in instances for field in fields]


def _keys_set(instances: Sequence[Model], keys: Sequence[Any], db: BaseDatabaseWrapper) -> None:
    for row, pk in zip(instances, keys, strict=True):
        row.pk = pk
        row._state.adding, row._state.db = False, db.alias


@functools.cache
def _updatable_fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    return tuple(field for field in model._meta.concrete_fields if field is not model._meta.pk)


def row_snapshot(instance: Model) -> tuple[Any, ...]:
    """The values of ``instance``'s columns now, for ``update_row`` to write what changes after."""
    return tuple(getattr(instance, field.attname) for field in _updatable_fields(type(instance)))


@functools.cache
def _update_statement(model: type[Model], vendor: str, columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608


def update_row(instance: Model, *, since: tuple[Any, ...]) -> None:
    """Write the columns of an existing row that changed since ``since`` (its ``row_snapshot``) in
    one statement, like ``save(update_fields=...)`` without compiling a query each time: a statement
    is built once per model and set of columns (and prepared, on PostgreSQL). JSON values are
    written whether or not they changed, since they may have changed in place. No signals are sent;
    no model of ours has any.

    Only what changed: a return has some twenty columns, an action changes five or six of them,
    and preparing every value for the database cost more than the statement itself.
    """
    update_rows([(instance, since)])


def _changed(instance: Model, since: tuple[Any, ...]) -> list[Field[Any, Any]]:
    return [
        field
        for field, before in zip(_updatable_fields(type(instance)), since, strict=True)
        if isinstance(before, dict | list) or getattr(instance, field.attname) != before
    ]


@functools.cache
def _updates_statement(vendor: str, shape: tuple[tuple[type[Model], tuple[str, ...]], ...]) -> str:
    """One statement writing several rows (``_writes_statement``); ``vendor`` keys the cache."""
    return _writes_statement(tuple(_update_statement(model, vendor, columns) for model, columns in shape), ())


def update_rows(rows: Sequence[tuple[Model, tuple[Any, ...]]]) -> None:
    """Write, as ``update_row`` does, each row's columns changed since its snapshot: on PostgreSQL
    in one statement (the running totals of a refund are four rows of four tables, each a round
    trip of its own otherwise), elsewhere (SQLite has no data-modifying ``WITH``) one each. The
    rows are distinct and already locked by the caller: the statement's parts run in no set order.
    """
    db = _database()
    changes = [(instance, fields) for instance, since in rows if (fields := _changed(instance, since))]
    if not changes:
        return
    together = db.vendor == "postgresql"
    groups = [changes] if together else [[change] for change in changes]
    for group in groups:
        shape = tuple((type(instance), tuple(field.column for field in fields)) for instance, fields in group)
        params = [param for instance, fields in group for param in _update_params(instance, fields, db)]
        _run(_updates_statement(db.vendor, shape), params, fetch=False)


def _update_params(instance: Model, fields: Sequence[Field[Any, Any]], db: BaseDatabaseWrapper) -> list[Any]:
    """An UPDATE's values of ``fields`` and then the row's primary key, as ``_update_statement`` takes them."""
    return [*(field.get_db_prep_save(field.pre_save(instance, False), db) for field in fields), instance.pk]


class RowChanges:
    """Columns set on rows one after another, written together by ``write()`` (``update_rows``):
    each row's snapshot is taken when it is first set, so a row set twice is written once."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Model, tuple[Any, ...]]] = {}

    def set(self, instance: Model, **values: Any) -> None:
        self._rows.setdefault(id(instance), (instance, row_snapshot(instance)))
        for name, value in values.items():
            setattr(instance, name, value)

    def write(self) -> None:
        update_rows(list(self._rows.values()))


# --- Several queries' rows in one statement ------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """One query of ``fetch_rows``: every column of each of ``models`` (a model and the alias
    ``source`` gives its table; a LEFT JOIN's may find none), from ``source`` ("FROM ... WHERE ...",
    with ``%s`` placeholders and each table written ``{}``, filled in with ``tables`` quoted, in
    order), ordered by ``order`` ("alias.column", "-alias.column" descending)."""

    models: tuple[tuple[type[Model], str], ...]
    source: str
    tables: tuple[type[Model], ...]
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class _RowsStatement:
    sql: str
    # Where each query's columns start in a row (the query's index comes first).
    starts: tuple[int, ...]


@functools.cache
def _rows_statement(queries: tuple[Rows, ...], vendor: str) -> _RowsStatement:
    widths = [sum(len(model._meta.concrete_fields) for model, _alias in query.models) for query in queries]
    starts = [1 + sum(widths[:index]) for index in range(len(queries))]
    total = sum(widths)
    # PostgreSQL gives a column of a UNION the type of its first typed branch, and resolves a
    # bare NULL against it: the first branch casts its NULLs, so every column has its type there.
    null_types = [
        f"CAST(NULL AS {field.cast_db_type(connection)})"  # type: ignore[attr-defined]
        for query in queries
        for model, _alias in query.models
        for field in model._meta.concrete_fields
    ]
    branches = []
    order = ["1"]
    for index, query in enumerate(queries):
        nulls = null_types if index == 0 else ["NULL"] * total
        columns = ", ".join(select_columns(model, alias) for model, alias in query.models)
        before, after = nulls[: starts[index] - 1], nulls[starts[index] - 1 + widths[index] :]
        selected = ", ".join([str(index), *before, columns, *after])
        source = query.source.format(*(quoted_table(table) for table in query.tables))
        branches.append(f"SELECT {selected} {source}")
        positions = {}
        position = starts[index] + 1
        for model, alias in query.models:
            for field in model._meta.concrete_fields:
                positions[f"{alias}.{field.column}"] = position
                position += 1
        # Within a query the other queries' columns are all NULL, so each query sorts by its own.
        order += [f"{positions[key.lstrip('-')]}{' DESC' if key.startswith('-') else ''}" for key in query.order]
    return _RowsStatement(" UNION ALL ".join(branches) + f" ORDER BY {', '.join(order)}", tuple(starts))


def fetch_rows(queries: Sequence[tuple[Rows, Sequence[Any]]]) -> list[list[tuple[Model | None, ...]]]:
    """The rows of several queries (each a ``Rows`` and its parameters) in one statement: what an
    answer reads from several tables costs one round trip and one plan, not one each.

    Each query's rows come back in its ``order``, each row as its ``models``' instances (None for
    a LEFT JOIN's that found none), converted as ``row_to_instances`` converts. A UNION ALL of the
    queries, each query's columns at their own place and NULL elsewhere: built once per set of
    queries and database (and prepared, on PostgreSQL, like every ``fetch_all``).
    """
    if not queries:
        return []
    db = _database()
    shapes = tuple(rows for rows, _params in queries)
    statement = _rows_statement(shapes, db.vendor)
    found: list[list[tuple[Model | None, ...]]] = [[] for _query in queries]
    for row in fetch_all(statement.sql, [param for _rows, params in queries for param in params]):
        index = row[0]
        start = statement.starts[index]
        instances: list[Model | None] = []
        for model, _alias in shapes[index].models:
            names, readers = _column_readers(model, db.vendor)
            values = row[start : start + len(names)]
            start += len(names)
            if values[_pk_index(model)] is None:
                instances.append(None)
                continue
            converted = [read(value, db) for read, value in zip(readers, values, strict=True)]
            instances.append(model.from_db(db.alias, names, converted))
        found[index].append(tuple(instances))
    return found


@functools.cache
def _pk_index(model: type[Model]) -> int:
    return model._meta.concrete_fields.index(model._meta.pk)


# --- Writes that go with the next statement ------------------------------------------------------

# On the connection: the writes queued so far, while a ``writes_queued()`` block is open (else absent).
_QUEUE = "returndesk_queued_writes"


@dataclass
class _Queued:
    sql: str
    params: list[Any]
    inserted: Sequence[Model]  # the rows an INSERT gives primary keys to; () for an UPDATE
    updated: tuple[str, Any] | None = None  # an UPDATE's table and primary key


@contextlib.contextmanager
def writes_queued() -> Iterator[None]:
    """Inside, on PostgreSQL, ``queue_insert`` and ``queue_update`` hold their writes back and the
    next statement run on the connection (any: a read, a savepoint, this block's end) writes them
    first, all in one statement: a handover's return, its event, its receipt and its
    Idempotency-Key's record cost one round trip, not four. What runs on the connection sees the
    writes as if each had run at once; an error inside drops what was still queued, as does the
    rollback of a savepoint inside (what it undoes). A queued write the database refuses raises at
    the next statement, not where it was queued, so the block is for a transaction that any error
    rolls back whole (``core.transactions.all_or_nothing``); outside one the two write at once.
    Within the one statement PostgreSQL runs the writes in no set order: none may depend on another
    (a row changed twice is written in two, ``queue_update``)."""
    db = _database()
    if db.vendor != "postgresql" or hasattr(db, _QUEUE):
        yield
        return
    setattr(db, _QUEUE, [])
    try:
        with db.execute_wrapper(_flushing_first):
            yield
            flush_queued()
    finally:
        delattr(db, _QUEUE)


def _flushing_first(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    queue = _queue(_database())
    if queue and sql.startswith("ROLLBACK TO SAVEPOINT"):
        # Every statement flushes first, the savepoint's own included: what is still queued was
        # queued inside the savepoint's block, which this rollback undoes.
        queue.clear()
    flush_queued()
    return execute(sql, params, many, context)


def _queue(db: BaseDatabaseWrapper) -> list[_Queued] | None:
    queue: list[_Queued] | None = getattr(db, _QUEUE, None)
    return queue


def queue_insert(instances: Sequence[M]) -> Sequence[M]:
    """``insert_rows``, written with the next statement inside ``writes_queued()`` (at once
    elsewhere): the rows' primary keys are set then, so only for rows nothing reads them of before."""
    db = _database()
    queue = _queue(db)
    if queue is None or not instances:
        return insert_rows(instances)
    sql, params = _insert(instances, db)
    queue.append(_Queued(sql, params, instances))
    return instances


def queue_update(instance: Model, *, since: tuple[Any, ...]) -> None:
    """``update_row``, written with the next statement inside ``writes_queued()`` (at once elsewhere)."""
    db = _database()
    queue = _queue(db)
    if queue is None:
        update_row(instance, since=since)
        return
    fields = _changed(instance, since)
    if not fields:
        return
    row = (type(instance)._meta.db_table, instance.pk)
    if any(queued.updated == row for queued in queue):
        # One statement may not change a row twice: the first change goes first.
        flush_queued()
    sql = _update_statement(type(instance), db.vendor, tuple(field.column for field in fields))
    queue.append(_Queued(sql, _update_params(instance, fields, db), (), updated=row))


@functools.cache
def _writes_statement(statements: tuple[str, ...], inserts: tuple[int, ...]) -> str:
    """Several writes as one statement on PostgreSQL: each in a data-modifying ``WITH`` (all run
    on one snapshot, each to completion) but, without ``inserts``, the last; with them, the keys
    those INSERTs return, each tagged with its write's place."""
    if len(statements) == 1:
        return statements[0]
    if not inserts:
        others = ", ".join(f"w{index} AS ({statement})" for index, statement in enumerate(statements[:-1]))
        return f"WITH {others} {statements[-1]}"
    parts = ", ".join(f"w{index} AS ({statement})" for index, statement in enumerate(statements))
    keys = " UNION ALL ".join(f"SELECT {index}, * FROM w{index}" for index in inserts)  # noqa: S608
    return f"WITH {parts} {keys}"


def flush_queued() -> None:
    """Write what ``queue_insert`` and ``queue_update`` queued, in one statement, and set the
    inserted rows' primary keys."""
    db = _database()
    queue = _queue(db)
    if not queue:
        return
    writes = list(queue)
    queue.clear()
    inserts = tuple(index for index, write in enumerate(writes) if write.inserted)
    sql = _writes_statement(tuple(write.sql for write in writes), inserts)
    rows = _run(sql, [param for write in writes for param in write.params], fetch=bool(inserts))
    if len(writes) == 1:
        rows = [(inserts[0], *row) for row in rows] if inserts else []
    keys: dict[int, list[Any]] = {index: [] for index in inserts}
    for index, pk in rows:
        keys[index].append(pk)
    for index in inserts:
        _keys_set(writes[index].inserted, keys[index], db)
