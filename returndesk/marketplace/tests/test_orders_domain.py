"""The order import's pure checks: no database, every edge."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returndesk.marketplace.domain.orders import (
    CLOCK_SKEW,
    PaymentImport,
    dates_check,
    payments_check,
    payments_match,
)
from returndesk.marketplace.errors import ImplausibleDate, PaymentsMismatch
from returndesk.marketplace.schemas import OrderIn
from returndesk.scenarios.payloads import NOW, order_payload

ORDER = OrderIn.model_validate(order_payload(external_id="O-PURE")).to_import()
PLACED = ORDER.placed_at


def _payment(method: str, amount: str = "1", reference: str = "") -> PaymentImport:
    return PaymentImport(method=method, amount=Decimal(amount), reference=reference)


def _key(stored: tuple[str, str, str]) -> tuple[str, str]:
    return stored[1], stored[2]


def test_payments_pair_by_method_and_reference_and_by_position_without_one():
    stored = [("p1", "card", "ch_1"), ("p2", "voucher", ""), ("p3", "voucher", ""), ("p4", "card", "")]
    incoming = [_payment("voucher", "2"), _payment("card", "3", "ch_1"), _payment("wallet"), _payment("card", "4")]

    match = payments_match(stored, incoming, key=_key)

    assert [(item[0], payment.amount) for item, payment in match.kept] == [
        ("p2", Decimal(2)),
        ("p1", Decimal(3)),
        ("p4", Decimal(4)),
    ]
    assert (match.added, match.left_out) == ((incoming[2],), (("p3", "voucher", ""),))


def test_a_reference_under_another_method_is_another_payment():
    match = payments_match([("p1", "card", "x-1")], [_payment("paypal", reference="x-1")], key=_key)

    assert (match.kept, len(match.added), match.left_out) == ((), 1, (("p1", "card", "x-1"),))


methods = st.sampled_from(["card", "paypal", "voucher"])
references = st.sampled_from(["", "", "r1", "r2"])


@given(
    stored=st.lists(st.tuples(methods, references), max_size=6),
    incoming=st.lists(st.tuples(methods, references), max_size=6),
)
def test_every_payment_is_kept_added_or_left_out_exactly_once(stored, incoming):
    rows = [(index, method, reference) for index, (method, reference) in enumerate(stored)]
    payments = [_payment(method, reference=reference) for method, reference in incoming]

    match = payments_match(rows, payments, key=_key)

    assert sorted([item for item, _ in match.kept] + list(match.left_out)) == rows
    assert Counter(map(id, [payment for _, payment in match.kept] + list(match.added))) == Counter(map(id, payments))
    assert all(_key(item) == (payment.method, payment.reference) for item, payment in match.kept)
    assert list(match.left_out) == sorted(match.left_out)


def test_a_date_at_the_edge_of_the_clock_skew_is_plausible_and_one_microsecond_later_is_not():
    edge = NOW + CLOCK_SKEW

    dates_check(replace(ORDER, delivered_at=edge), now=NOW)
    with pytest.raises(ImplausibleDate) as refused:
        dates_check(replace(ORDER, delivered_at=edge + timedelta(microseconds=1)), now=NOW)

    assert refused.value.errors == [
        {
            "loc": ["body", "payload", "delivered_at"],
            "msg": "The order's delivered_at, 2026-03-10T12:05:00.000001Z, is in the future.",
            "type": "implausible_date",
        }
    ]


def test_recorded_deliveries_count_only_when_before_the_new_placed_at():
    dates_check(ORDER, now=NOW, recorded_deliveries=[PLACED])
    with pytest.raises(ImplausibleDate) as refused:
        dates_check(ORDER, now=NOW, recorded_deliveries=[PLACED + timedelta(days=1), PLACED - timedelta(seconds=1)])

    assert refused.value.detail == (
        "The order's placed_at, 2026-02-28T12:00:00Z, is after its delivery on 2026-02-28T11:59:59Z, "
        "which an earlier import recorded."
    )


def test_payments_must_match_to_the_last_decimal():
    payments_check(replace(ORDER, payments=(_payment("card", "60"), _payment("voucher", "5.000"))))
    with pytest.raises(PaymentsMismatch) as refused:
        payments_check(replace(ORDER, payments=(_payment("card", "65.01"),)))

    assert refused.value.extra == {"expected": "65.00", "paid": "65.01"}
