"""Small ORM helpers every app may use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func, Model, TextField
from django.db.models.sql.compiler import SQLCompiler

# SQLite's lower() folds only ASCII letters ('É' stays 'É'); this function, registered on every
# SQLite connection, folds them all, as PostgreSQL's lower() does under a UTF-8 locale (its LC_CTYPE
# decides: under C it too folds only ASCII).
SQLITE_LOWER = "returndesk_lower"


def rows_known(instance: Model, **relations: Iterable[Model]) -> None:
    """Tell ``instance`` the rows of its reverse relations, as a prefetch would.

    A service that has just written a row and its children holds every one of them; seeding the
    relations lets the answer be rendered from them instead of reading them back. This is what
    ``prefetch_related`` itself stores: a queryset whose results are already known.
    """
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in relations.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset


def rows_changed(instance: Model, *names: str) -> None:
    """Forget what ``instance`` knew of these relations: rows were added since it was read."""
    cache = instance.__dict__.get("_prefetched_objects_cache", {})
    for name in names:
        cache.pop(name, None)


class Folded(Func):
    """``expression`` lower-cased in every script, on both databases. Fold both sides of a
    comparison in SQL, so that one function folds them (``Folded("buyer__name")`` contains
    ``Folded(Value(typed))`` finds "Émile" for "émile")."""

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function=SQLITE_LOWER, **extra)


def sqlite_functions_register(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """``connection_created``: give a SQLite connection the functions ``Folded`` calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_LOWER, 1, lambda text: None if text is None else str(text).lower(), deterministic=True
        )
