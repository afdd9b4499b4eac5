"""Per line: every refusal with its sentence, in the table's order; what a request may ask."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from returndesk.policies.domain.eligibility import (
    BuyerFacts,
    LineEligibility,
    LineFacts,
    LineRefusal,
    Refusal,
    line_eligibility,
    request_refusals,
)
from returndesk.policies.domain.policy import CORE_DEFAULT, ReturnPolicy
from returndesk.policies.domain.reasons import Reason

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
US_BUYER = BuyerFacts(time_zone="America/New_York", country="US")
EU_BUYER = BuyerFacts(time_zone="Europe/Berlin", country="DE")
LAMP = LineFacts(
    line="L1",
    title="Desk lamp",
    sku="LAMP-1",
    category="Lighting",
    quantity=2,
    held=0,
    final_sale=False,
    delivered_at=NOW - timedelta(days=2),
)
SELLER_FAULT = (
    Reason.DEFECTIVE,
    Reason.NOT_AS_DESCRIBED,
    Reason.WRONG_ITEM,
    Reason.DAMAGED_IN_TRANSIT,
    Reason.MISSING_PARTS,
)
ONLY_IF_FAULTY = "returnable only if faulty, wrong or not as described."


def judge(
    line: LineFacts = LAMP, buyer: BuyerFacts = US_BUYER, policy: ReturnPolicy = CORE_DEFAULT, now: datetime = NOW
) -> LineEligibility:
    return line_eligibility(line, buyer=buyer, policy=policy, now=now)


def codes(refusals: tuple[LineRefusal, ...]) -> list[Refusal]:
    return [refusal.code for refusal in refusals]


def test_a_delivered_line_in_its_window_allows_every_reason_for_its_units_left() -> None:
    answer = judge(replace(LAMP, held=1))

    assert (answer.returnable, answer.returnable_quantity, answer.reasons_allowed, answer.refusals) == (
        True,
        1,
        tuple(Reason),
        (),
    )
    # 8 March in New York + 30 days: Tuesday 7 April; the window ends at midnight starting the 8th.
    assert (answer.last_day, answer.window_ends_at, answer.eu_withdrawal) == (
        date(2026, 4, 7),
        datetime(2026, 4, 8, 4, 0, tzinfo=UTC),
        False,
    )


def test_not_delivered() -> None:
    answer = judge(replace(LAMP, delivered_at=None))

    assert (answer.returnable, answer.returnable_quantity, answer.reasons_allowed, answer.window_ends_at) == (
        False,
        0,
        (),
        None,
    )
    assert answer.refusals == (LineRefusal(Refusal.NOT_DELIVERED, "Desk lamp has not been delivered yet."),)


def test_window_closed_at_its_end_and_not_a_microsecond_before() -> None:
    # Delivered 3 March in New York: the last day is Thursday 2 April, the end 00:00 EDT on the 3rd.
    line = replace(LAMP, delivered_at=datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    end = datetime(2026, 4, 3, 4, 0, tzinfo=UTC)

    closed = judge(line, now=end)
    still_open = judge(line, now=end - timedelta(microseconds=1))

    assert (closed.returnable, closed.returnable_quantity, closed.reasons_allowed) == (False, 0, ())
    assert closed.refusals == (
        LineRefusal(
            Refusal.WINDOW_CLOSED,
            "Desk lamp could be returned until 2 April 2026.",
            {"window_closed_at": "2026-04-03T00:00:00-04:00"},
        ),
    )
    assert (still_open.returnable, still_open.refusals) == (True, ())


def test_final_sale_refuses_the_buyers_choice_only() -> None:
    answer = judge(replace(LAMP, final_sale=True))

    assert (answer.returnable, answer.reasons_allowed) == (True, SELLER_FAULT)
    assert answer.refusals == (LineRefusal(Refusal.FINAL_SALE, f"Desk lamp was sold as final sale: {ONLY_IF_FAULTY}"),)


def test_a_non_returnable_category_matches_whatever_its_case() -> None:
    answer = judge(replace(LAMP, category="Swimwear"), policy=ReturnPolicy(non_returnable_categories=("swimWEAR",)))

    assert (answer.returnable, answer.reasons_allowed) == (True, SELLER_FAULT)
    assert answer.refusals == (LineRefusal(Refusal.NON_RETURNABLE_CATEGORY, f"Swimwear is {ONLY_IF_FAULTY}"),)


def test_a_non_returnable_sku() -> None:
    answer = judge(policy=ReturnPolicy(non_returnable_skus=("LAMP-1",)))
    other = judge(policy=ReturnPolicy(non_returnable_skus=("lamp-1",)))

    assert (answer.reasons_allowed, answer.refusals) == (
        SELLER_FAULT,
        (LineRefusal(Refusal.NON_RETURNABLE_SKU, f"Desk lamp is {ONLY_IF_FAULTY}"),),
    )
    assert other.refusals == ()


def test_an_eu_withdrawal_is_never_refused_by_a_listing_but_is_by_final_sale() -> None:
    policy = ReturnPolicy(non_returnable_categories=("Lighting",), non_returnable_skus=("LAMP-1",))

    listed = judge(buyer=EU_BUYER, policy=policy)
    final_sale = judge(replace(LAMP, final_sale=True), buyer=EU_BUYER, policy=policy)
    # Twenty days after delivery the withdrawal period is over; the seller's window is not.
    later = judge(replace(LAMP, delivered_at=NOW - timedelta(days=20)), buyer=EU_BUYER, policy=policy)

    assert (listed.eu_withdrawal, listed.reasons_allowed, listed.refusals) == (True, tuple(Reason), ())
    assert (final_sale.eu_withdrawal, final_sale.reasons_allowed, codes(final_sale.refusals)) == (
        True,
        SELLER_FAULT,
        [Refusal.FINAL_SALE],
    )
    assert (later.eu_withdrawal, later.returnable, codes(later.refusals)) == (
        False,
        True,
        [Refusal.NON_RETURNABLE_CATEGORY, Refusal.NON_RETURNABLE_SKU],
    )


@pytest.mark.parametrize(
    ("quantity", "sentence"),
    [
        (1, "The unit is already in a return."),
        (2, "Both units are already in a return."),
        (3, "All 3 units are already in a return."),
    ],
)
def test_already_returned(quantity: int, sentence: str) -> None:
    answer = judge(replace(LAMP, quantity=quantity, held=quantity))

    assert (answer.returnable, answer.returnable_quantity, answer.reasons_allowed) == (False, 0, ())
    assert answer.refusals == (LineRefusal(Refusal.ALREADY_RETURNED, sentence, {"available": 0}),)


def test_every_refusal_that_applies_in_the_tables_order() -> None:
    policy = ReturnPolicy(non_returnable_categories=("Lighting",), non_returnable_skus=("LAMP-1",))
    held = replace(LAMP, final_sale=True, held=2)

    undelivered = judge(replace(held, delivered_at=None), policy=policy)
    closed = judge(replace(held, delivered_at=NOW - timedelta(days=90)), policy=policy)

    tail = [Refusal.FINAL_SALE, Refusal.NON_RETURNABLE_CATEGORY, Refusal.NON_RETURNABLE_SKU, Refusal.ALREADY_RETURNED]
    assert codes(undelivered.refusals) == [Refusal.NOT_DELIVERED, *tail]
    assert codes(closed.refusals) == [Refusal.WINDOW_CLOSED, *tail]


def test_the_window_follows_the_policy_and_the_buyers_business_days() -> None:
    # Delivered 4 March in Berlin: 30 days on is Good Friday, the last day Tuesday 7 April; with a
    # 14-day window it is Wednesday 18 March.
    line = replace(LAMP, delivered_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC))

    assert judge(line, buyer=EU_BUYER).last_day == date(2026, 4, 7)
    assert judge(line, buyer=EU_BUYER, policy=ReturnPolicy(window_days=14)).last_day == date(2026, 3, 18)


# --- A request: a quantity and a reason -------------------------------------------------------


def refused(line: LineFacts, *, quantity: int, reason: Reason, **kwargs: object) -> tuple[LineRefusal, ...]:
    return request_refusals(judge(line, **kwargs), line, quantity=quantity, reason=reason)  # type: ignore[arg-type]


def test_a_final_sale_line_is_returned_for_a_seller_fault_reason() -> None:
    line = replace(LAMP, final_sale=True)

    assert refused(line, quantity=1, reason=Reason.DEFECTIVE) == ()
    assert codes(refused(line, quantity=1, reason=Reason.CHANGED_MIND)) == [Refusal.FINAL_SALE]


def test_listings_refuse_the_buyers_choice_but_not_an_eu_withdrawal() -> None:
    policy = ReturnPolicy(non_returnable_categories=("lighting",))

    assert codes(refused(LAMP, quantity=1, reason=Reason.SIZE_FIT, policy=policy)) == [Refusal.NON_RETURNABLE_CATEGORY]
    assert refused(LAMP, quantity=1, reason=Reason.WRONG_ITEM, policy=policy) == ()
    assert refused(LAMP, quantity=1, reason=Reason.SIZE_FIT, policy=policy, buyer=EU_BUYER) == ()


def test_quantity_exceeded_when_some_units_are_left() -> None:
    assert refused(replace(LAMP, held=1), quantity=2, reason=Reason.DEFECTIVE) == (
        LineRefusal(Refusal.QUANTITY_EXCEEDED, "Only 1 of 2 units can still be returned.", {"available": 1}),
    )
    assert refused(replace(LAMP, quantity=5, held=2), quantity=4, reason=Reason.OTHER)[0].message == (
        "Only 3 of 5 units can still be returned."
    )
    assert refused(replace(LAMP, held=1), quantity=1, reason=Reason.DEFECTIVE) == ()


def test_already_returned_not_quantity_exceeded_when_every_unit_is_held() -> None:
    assert codes(refused(replace(LAMP, held=2), quantity=1, reason=Reason.DEFECTIVE)) == [Refusal.ALREADY_RETURNED]


def test_a_requests_refusals_in_the_tables_order() -> None:
    line = replace(LAMP, final_sale=True, held=1, delivered_at=NOW - timedelta(days=90))
    policy = ReturnPolicy(non_returnable_skus=("LAMP-1",))

    assert codes(refused(line, quantity=2, reason=Reason.CHANGED_MIND, policy=policy)) == [
        Refusal.WINDOW_CLOSED,
        Refusal.FINAL_SALE,
        Refusal.NON_RETURNABLE_SKU,
        Refusal.QUANTITY_EXCEEDED,
    ]
    assert codes(refused(line, quantity=2, reason=Reason.DEFECTIVE, policy=policy)) == [
        Refusal.WINDOW_CLOSED,
        Refusal.QUANTITY_EXCEEDED,
    ]
