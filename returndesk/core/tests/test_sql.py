"""core.sql's plain statements read and write rows exactly as the ORM does, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.core.sql import (
    RowChanges,
    Rows,
    fetch_all,
    fetch_rows,
    insert_rows,
    quoted_table,
    row_to_instances,
    select_columns,
)
from returndesk.marketplace.models import Buyer, Order, OrderLine
from returndesk.returns.models import ReturnEvent
from returndesk.scenarios.journeys import order_placed, return_opened

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _field_values(instance: object) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_row_read_by_plain_sql_equals_the_orms_instances() -> None:
    order = order_placed()
    sql = (
        f"SELECT {select_columns(Order, 'o')}, {select_columns(Buyer, 'b')}, {select_columns(OrderLine, 'ol')}"  # noqa: S608
        f" FROM {quoted_table(Order)} o JOIN {quoted_table(Buyer)} b ON b.id = o.buyer_id"
        f" JOIN {quoted_table(OrderLine)} ol ON ol.order_id = o.id WHERE o.id = %s ORDER BY ol.id"
    )
    (row, *_) = fetch_all(sql, [order.pk])

    read_order, read_buyer, read_line = row_to_instances(row, Order, Buyer, OrderLine)

    assert _field_values(read_order) == _field_values(Order.objects.get(pk=order.pk))
    assert _field_values(read_buyer) == _field_values(Buyer.objects.get(pk=order.buyer_id))
    assert _field_values(read_line) == _field_values(OrderLine.objects.filter(order=order).order_by("id").first())
    # Converted, not raw: aware datetimes and decimals (SQLite hands back text for both).
    assert isinstance(read_order.placed_at, dt.datetime)
    assert read_order.placed_at.tzinfo is not None
    assert isinstance(read_line.unit_price, Decimal)
    assert read_order._state.adding is False


def test_inserted_rows_get_their_keys_in_order_and_read_back_the_same() -> None:
    ret = return_opened(order=order_placed())
    at = dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC)
    events = [
        ReturnEvent(
            return_request=ret,
            at=at + dt.timedelta(minutes=number),
            actor_kind="system",
            actor_id="clock",
            action="anomaly",
            from_status="requested",
            to_status="requested",
            data={"number": number, "nested": {"list": [1, "two", None]}},
        )
        for number in range(3)
    ]

    with CaptureQueriesContext(connection) as statements:
        inserted = insert_rows(events)

    assert len(statements.captured_queries) == 1
    assert [event.pk for event in inserted] == sorted(event.pk for event in inserted)
    for event in inserted:
        assert event._state.adding is False
        stored = ReturnEvent.objects.get(pk=event.pk)
        assert stored.data == event.data
        assert stored.at == event.at


def test_no_rows_make_no_statement() -> None:
    with CaptureQueriesContext(connection) as statements:
        assert insert_rows([]) == []
    assert statements.captured_queries == []


def test_a_statement_run_unprepared_leaves_no_plan_behind() -> None:
    """The Idempotency-Key lookup's shape: on PostgreSQL a prepared statement keeps, after five runs,
    a generic plan for the connection's life, which for a table read while still empty is a scan of
    the whole table however it grows; ``prepare=False`` plans it each time instead."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL prepares statements")
    sql = f"SELECT b.id FROM {quoted_table(Buyer)} b WHERE b.external_id = %s"  # noqa: S608

    for _ in range(6):
        assert fetch_all(sql, ["nobody"], prepare=False) == []
        assert fetch_all(sql + " AND b.id > %s", ["nobody", 0]) == []

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert [statement for statement in prepared if "external_id" in statement] == [
        sql.replace("%s", "$1") + " AND b.id > $2"
    ]


def test_several_queries_rows_come_in_one_statement_each_in_its_order() -> None:
    order = order_placed()
    lines = Rows(
        models=((OrderLine, "ol"),),
        source="FROM {} ol WHERE ol.order_id = %s",
        tables=(OrderLine,),
        order=("-ol.id",),
    )
    # A LEFT JOIN that finds no buyer (the external id matches none): None in its place.
    orders = Rows(
        models=((Order, "o"), (Buyer, "b")),
        source="FROM {} o LEFT JOIN {} b ON b.id = o.buyer_id AND b.external_id = %s WHERE o.id = %s",
        tables=(Order, Buyer),
    )
    events = Rows(
        models=((ReturnEvent, "e"),), source="FROM {} e WHERE e.return_request_id = %s", tables=(ReturnEvent,)
    )

    with CaptureQueriesContext(connection) as statements:
        found_lines, found_orders, found_events = fetch_rows(
            [(lines, [order.pk]), (orders, ["nobody", order.pk]), (events, [0])]
        )

    assert len(statements.captured_queries) == 1
    assert [_field_values(line) for (line,) in found_lines] == [
        _field_values(line) for line in OrderLine.objects.filter(order=order).order_by("-id")
    ]
    assert len(found_lines) == 2
    ((read_order, no_buyer),) = found_orders
    assert (_field_values(read_order), no_buyer, found_events) == (
        _field_values(Order.objects.get(pk=order.pk)),
        None,
        [],
    )


def test_no_queries_make_no_statement() -> None:
    with CaptureQueriesContext(connection) as statements:
        assert fetch_rows([]) == []
    assert statements.captured_queries == []


def test_rows_changed_together_are_written_in_one_statement_on_postgresql() -> None:
    order = order_placed()
    line = OrderLine.objects.filter(order=order).order_by("id").first()
    assert line is not None
    changes = RowChanges()
    changes.set(order, refunded=Decimal("5.00"))
    changes.set(line, refunded=Decimal("2.00"))
    changes.set(order, shipping_refunded=Decimal("1.50"))  # a row set twice is written once
    changes.set(order.buyer, name=order.buyer.name)  # unchanged: not written

    with CaptureQueriesContext(connection) as statements:
        changes.write()

    kinds = [statement["sql"].split(" ", 1)[0] for statement in statements.captured_queries]
    assert kinds == (["WITH"] if connection.vendor == "postgresql" else ["UPDATE", "UPDATE"])
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.refunded, order.shipping_refunded) == (Decimal("5.00"), Decimal("1.50"))
    assert line.refunded == Decimal("2.00")
