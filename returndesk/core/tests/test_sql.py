"""core.sql's plain statements read and write rows exactly as the ORM does, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from returndesk.core.sql import (
    RowChanges,
    Rows,
    fetch_all,
    fetch_rows,
    insert_rows,
    queue_insert,
    queue_update,
    quoted_table,
    row_snapshot,
    row_to_instances,
    select_columns,
    writes_queued,
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


# --- Writes queued until the next statement -------------------------------------------------------


def _event(ret: object, number: int) -> ReturnEvent:
    return ReturnEvent(
        return_request=ret,
        at=dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC),
        actor_kind="system",
        actor_id="clock",
        action="anomaly",
        from_status="requested",
        to_status="requested",
        data={"number": number},
    )


def _kinds(statements: CaptureQueriesContext) -> list[str]:
    return [statement["sql"].split(" ", 1)[0] for statement in statements.captured_queries]


def test_queued_writes_go_in_one_statement_with_their_keys_set_on_postgresql() -> None:
    ret = return_opened(order=order_placed())
    order = ret.order
    read = row_snapshot(order)
    order.refunded = Decimal("3.00")
    events = [_event(ret, 1), _event(ret, 2)]

    with CaptureQueriesContext(connection) as statements, transaction.atomic(), writes_queued():
        queue_update(order, since=read)
        queue_insert(events)
        queue_insert([_event(ret, 3)])
        queued = _kinds(statements)

    # The block's own BEGIN (a SAVEPOINT inside the test's transaction) first, its end last.
    postgresql = connection.vendor == "postgresql"
    assert queued[1:] == ([] if postgresql else ["UPDATE", "INSERT", "INSERT"])
    assert _kinds(statements)[len(queued) : -1] == (["WITH"] if postgresql else [])
    assert [event.pk for event in events] == sorted(event.pk for event in events)
    stored = ReturnEvent.objects.filter(return_request=ret, action="anomaly").order_by("id")
    assert [(event.pk, event.data) for event in stored] == [
        (events[0].pk, {"number": 1}),
        (events[1].pk, {"number": 2}),
        (stored[2].pk, {"number": 3}),
    ]
    order.refresh_from_db()
    assert order.refunded == Decimal("3.00")


def test_any_statement_inside_sees_the_queued_writes_first() -> None:
    ret = return_opened(order=order_placed())
    order = ret.order
    with transaction.atomic(), writes_queued():
        queue_insert([_event(ret, 1)])
        # An ORM read writes them first...
        assert ReturnEvent.objects.filter(return_request=ret, action="anomaly").count() == 1
        read = row_snapshot(order)
        order.refunded = Decimal("1.00")
        queue_update(order, since=read)
        # ...and so does a plain-SQL one.
        sql = f"SELECT o.refunded FROM {quoted_table(Order)} o WHERE o.id = %s"  # noqa: S608
        assert fetch_all(sql, [order.pk]) == [(Decimal("1.00"),)]


def test_a_row_updated_twice_is_written_twice_in_order() -> None:
    """One statement may change a row only once: the first change is written before the second queues."""
    order = order_placed()
    with transaction.atomic(), writes_queued():
        read = row_snapshot(order)
        order.refunded = Decimal("1.00")
        queue_update(order, since=read)
        read = row_snapshot(order)
        order.refunded, order.shipping_refunded = Decimal("2.00"), Decimal("0.50")
        queue_update(order, since=read)
    order.refresh_from_db()
    assert (order.refunded, order.shipping_refunded) == (Decimal("2.00"), Decimal("0.50"))


def _queued_then_refused(ret: object, number: int) -> None:
    """A savepoint's block: an event queued, then an insert the database refuses (NOT NULL)."""
    with transaction.atomic():
        queue_insert([_event(ret, number)])
        insert_rows([ReturnEvent(return_request=ret, at=None, data={})])


def test_writes_queued_in_a_savepoint_that_rolls_back_are_undone_and_those_before_it_kept() -> None:
    ret = return_opened(order=order_placed())
    with transaction.atomic(), writes_queued():
        queue_insert([_event(ret, 1)])
        with pytest.raises(IntegrityError):
            _queued_then_refused(ret, 2)
    assert [event.data for event in ReturnEvent.objects.filter(return_request=ret, action="anomaly")] == [{"number": 1}]


def test_an_error_inside_drops_what_was_queued() -> None:
    ret = return_opened(order=order_placed())

    def queued_then_failed() -> None:
        with transaction.atomic(), writes_queued():
            queue_insert([_event(ret, 1)])
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        queued_then_failed()
    with transaction.atomic(), writes_queued():
        queue_insert([_event(ret, 2)])
    assert [event.data for event in ReturnEvent.objects.filter(return_request=ret, action="anomaly")] == [{"number": 2}]


def test_outside_the_block_queued_writes_run_at_once() -> None:
    ret = return_opened(order=order_placed())
    with CaptureQueriesContext(connection) as statements:
        (event,) = queue_insert([_event(ret, 1)])
    assert _kinds(statements) == ["INSERT"]
    assert event.pk is not None


def test_writes_queued_in_a_savepoint_that_rolls_back_are_dropped_unwritten() -> None:
    ret = return_opened(order=order_placed())

    def queued_then_failed() -> None:
        with transaction.atomic():
            queue_insert([_event(ret, 1)])
            raise RuntimeError("refused")

    with CaptureQueriesContext(connection) as statements, transaction.atomic(), writes_queued():
        with pytest.raises(RuntimeError):
            queued_then_failed()
        assert not ReturnEvent.objects.filter(return_request=ret, action="anomaly").exists()
    # On PostgreSQL the event was never written; SQLite wrote it at once and rolled it back.
    written = {"INSERT", "WITH"} & set(_kinds(statements))
    assert written == (set() if connection.vendor == "postgresql" else {"INSERT"})
