"""``order_payload``, the one order builder: payments and ``placed_at`` computed unless given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from returndesk.scenarios.payloads import NOW, iso, line_payload, order_payload


def test_iso_writes_utc_with_a_z() -> None:
    madrid = datetime(2026, 3, 10, 13, 0, 0, 250000, tzinfo=ZoneInfo("Europe/Madrid"))

    assert (iso(NOW), iso(madrid)) == ("2026-03-10T12:00:00Z", "2026-03-10T12:00:00.250000Z")


def test_the_default_order_pays_its_lines_and_shipping_and_was_placed_a_week_before_delivery() -> None:
    payload = order_payload(external_id="O-1")

    assert (payload["payments"], payload["placed_at"], payload["delivered_at"], payload["number"]) == (
        [{"method": "card", "amount": "65.00"}],
        "2026-02-28T12:00:00Z",
        "2026-03-07T12:00:00Z",
        "N-O-1",
    )


def test_payments_follow_the_lines_and_shipping_given() -> None:
    lines = [line_payload("L1", quantity=3, unit_price="2.50"), line_payload("L2", paid_amount="0.99")]

    payload = order_payload(lines=lines, shipping_amount="1.01", payment_method="paypal")

    assert payload["payments"] == [{"method": "paypal", "amount": "9.50"}]


def test_an_undelivered_order_was_placed_a_week_before_now() -> None:
    payload = order_payload(delivered_at=None)

    assert (payload["placed_at"], payload["delivered_at"]) == (iso(NOW - timedelta(days=7)), None)


def test_payments_and_placed_at_given_are_kept() -> None:
    placed = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    payments = [{"method": "card", "amount": "1.00"}, {"method": "voucher", "amount": "2.00"}]

    payload = order_payload(placed_at=placed, payments=payments)

    assert (payload["placed_at"], payload["payments"]) == ("2026-01-02T03:04:00Z", payments)
