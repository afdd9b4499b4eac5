"""The indexes of the tables every transition writes: a return's row (each status change moves
its indexed columns, so PostgreSQL writes every one of its indexes again), its events and a
handover's receipt. Each index is one a query reads; none is a prefix of another, and no unique
text column carries PostgreSQL's second index for LIKE prefixes (``unique=True`` would add it; a
``UniqueConstraint`` does not). On both databases (the PostgreSQL pass runs them too)."""

from __future__ import annotations

import pytest
from django.db import connection

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
