"""Plain SQL for the few hot-path reads where compiling an ORM query costs more than running it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Model


def quoted_table(model: type[Model]) -> str:
    """A model's table name, quoted for this backend, to write into plain SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a read with ``%s`` placeholders and return its rows.

    On PostgreSQL it runs as a prepared statement: planning a five-table join costs several times
    executing it, and the verifier asks the same question thousands of times a second. Django's
    own cursors bind client-side and never prepare, so this one cursor binds on the server.
    ``RETURNDESK_PREPARED_STATEMENTS=0`` turns it off (a transaction-pooling PgBouncer older than
    1.21 cannot keep prepared statements). These reads bypass Django's cursor wrapper, so
    ``assertNumQueries`` does not see them on PostgreSQL.
    """
    if connection.vendor == "postgresql" and settings.RETURNDESK["PREPARED_STATEMENTS"]:
        # What Django's own cursor() does first: the health check, then a live connection.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows
