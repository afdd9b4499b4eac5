"""The indexes of the tables every transition writes: a return's row (each status change moves
its indexed columns, so PostgreSQL writes every one of its indexes again), its events and a
handover's receipt. Each index is one a query reads; none is a prefix of another, and no unique
text column carries PostgreSQL's second index for LIKE prefixes (``unique=True`` would add it; a
``UniqueConstraint`` does not). On both databases (the PostgreSQL pass runs them too)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from returndesk.returns.models import Return

pytestmark = [pytest.mark.django_db, pytest.mark.database]

EXPECTED = {
    "returns_return": {
        ("id",),
        ("code",),  # the verifier, every action by code
        ("order_id",),  # an order's returns (units held, the order's pages)
        ("policy_version",),  # the policy version's foreign key
        ("created_at", "id"),  # the newest first, for each scope below
        ("seller_id", "created_at", "id"),
        ("buyer_id", "created_at", "id"),
        ("status", "created_at", "id"),
        ("due_at",),  # the clock's due returns
        ("tracking_number",),  # tracking events, search
    },
    "returns_returnevent": {("id",), ("return_request_id", "at", "id")},
    "dropoffs_receipt": {("id",), ("receipt_id",), ("point_id",), ("return_request_id", "current")},
}


def _indexed_columns(table: str) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return sorted(
        tuple(constraint["columns"])
        for constraint in found.values()
        if constraint["index"] or constraint["unique"] or constraint["primary_key"]
    )


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_each_index_of_a_hot_table_is_one_a_query_reads(table: str) -> None:
    indexed = _indexed_columns(table)

    # Each once: no LIKE twin of a unique column, no foreign key's index under a longer one.
    assert sorted(EXPECTED[table]) == indexed


# --- The migrations that dropped them (returns 0010, dropoffs 0003) -------------------------------

BEFORE = [("returns", "0009_refund_ledger_columns"), ("dropoffs", "0002_trackingevent_effect")]
AFTER = [("returns", "0010_return_indexes_trimmed"), ("dropoffs", "0003_receipt_indexes_trimmed")]
DROPPED = {
    "returns_return": [("buyer_id",), ("seller_id",)],
    "returns_returnevent": [("return_request_id",)],
    "dropoffs_receipt": [("return_request_id",)],
}
# PostgreSQL's LIKE twins of the unique text columns, made again by going back.
LIKE_TWINS = {"returns_return": [("code",)], "dropoffs_receipt": [("receipt_id",)]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrations")
def test_the_migrations_drop_the_indexes_and_going_back_makes_them_again() -> None:
    MigrationExecutor(connection).migrate(BEFORE)
    twins = LIKE_TWINS if connection.vendor == "postgresql" else {}
    before = {table: _indexed_columns(table) for table in EXPECTED}
    assert before == {
        table: sorted([*columns, *DROPPED.get(table, []), *twins.get(table, [])]) for table, columns in EXPECTED.items()
    }

    with CaptureQueriesContext(connection) as statements:
        MigrationExecutor(connection).migrate(AFTER)

    # Indexes dropped, constraints renamed: no foreign key dropped and validated again, no unique
    # index built again, nothing that scans a table under its lock (core.migration_ops).
    changes = [
        query["sql"] for query in statements.captured_queries if query["sql"].startswith(("ALTER", "CREATE", "DROP"))
    ]
    # Six drops (a LIKE twin's finds none on SQLite); PostgreSQL's two unique constraints renamed.
    assert len(changes) == 6 + (2 if connection.vendor == "postgresql" else 0), changes
    assert all(sql.startswith("DROP INDEX IF EXISTS") or " RENAME CONSTRAINT " in sql for sql in changes), changes
    assert {table: _indexed_columns(table) for table in EXPECTED} == {
        table: sorted(columns) for table, columns in EXPECTED.items()
    }
    if connection.vendor == "postgresql":
        # No index rebuilt: the unique ones unique=True made are the constraints, renamed.
        with connection.cursor() as cursor:
            names = set(connection.introspection.get_constraints(cursor, "returns_return"))
            names |= set(connection.introspection.get_constraints(cursor, "dropoffs_receipt"))
        assert {"return_code_unique", "receipt_id_unique"} <= names


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrations")
def test_a_code_stays_unique_across_the_migration(make_return: Callable[..., Return]) -> None:
    ret = make_return()
    MigrationExecutor(connection).migrate(BEFORE)
    MigrationExecutor(connection).migrate(AFTER)

    with pytest.raises(IntegrityError), transaction.atomic():
        Return.objects.filter(pk=make_return().pk).update(code=ret.code)
