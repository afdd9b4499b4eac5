"""What a default refund costs the database: its write path inside a keyed request's transaction
(``core.transactions.all_or_nothing``, as ``core.idempotency`` runs it: no savepoint), BEGIN and
COMMIT included, then its transaction's attempt after the commit. The answer's reads and the
Idempotency-Key's record are the request's, counted with the route."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from returndesk.core.transactions import all_or_nothing
from returndesk.marketplace.models import Order
from returndesk.refunds.services import return_refund
from returndesk.returns.models import Return

from .conftest import seller_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]


# The write path, the same whichever gateway: the order locked through the return's code (and the
# caller's scope); the return locked with its lines and the key's earlier refund; the order's
# lines (with the units held) and its payments locked; the refund, its line, its transaction; the
# running totals of the return line, the order line, the payment and the order (on PostgreSQL in
# one statement, core.sql.update_rows); the return and its event (on PostgreSQL in one statement
# too, written when the keyed request's transaction ends: core.sql.writes_queued).
def _write() -> list[str]:
    postgresql = connection.vendor == "postgresql"
    totals, transition = (["WITH"], ["WITH"]) if postgresql else (["UPDATE"] * 4, ["UPDATE", "INSERT"])
    locks, rows = ["SELECT"] * 4, ["INSERT"] * 3
    return ["BEGIN", *locks, *rows, *totals, *transition, "COMMIT"]


# After the commit: the attempt numbered, returning what the gateway is asked (committed on its
# own); then the answer recorded: the order, the return with its lines, the return's transactions
# locked (three statements, in that order), and the transaction written.
RECORD = ["UPDATE", "BEGIN", "SELECT", "SELECT", "SELECT", "UPDATE"]


@pytest.fixture(autouse=True)
def _fake() -> Iterator[None]:
    with override_settings(RETURNDESK_FAKE_GATEWAY={"fail_rate": 0.0, "delay_seconds": 0.0}):
        yield


def _counted(ret: Return) -> list[str]:
    with CaptureQueriesContext(connection) as statements, all_or_nothing():
        return_refund(actor=seller_of(ret), code=ret.code, request_key="k")
    return [statement["sql"].split(" ", 1)[0] for statement in statements.captured_queries]


def _order(make_order: Callable[..., Order], gateway: str) -> Order:
    return make_order(payments=[{"method": "card", "gateway": gateway, "reference": "pay-1", "amount": "65.00"}])


def test_a_refund_through_the_fake_gateway_costs_its_write_then_nine_statements(
    inspected: Callable[..., Return], make_order: Callable[..., Order]
) -> None:
    ret = inspected(order=_order(make_order, "fake"))

    # Succeeded: the return settles, in the record's transaction: its row written once, the
    # success's and the settle's events in one INSERT.
    assert _counted(ret) == [*_write(), *RECORD, "UPDATE", "INSERT", "COMMIT"]


def test_a_manual_refund_costs_its_write_then_seven_statements(
    inspected: Callable[..., Return], make_order: Callable[..., Order]
) -> None:
    ret = inspected(order=_order(make_order, "manual"))

    # Pending, awaiting the seller's confirmation: nothing the return shows changes.
    assert _counted(ret) == [*_write(), *RECORD, "COMMIT"]
