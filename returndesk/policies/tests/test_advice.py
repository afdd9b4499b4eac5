"""Shares, fees and the cost advice, in integer minor units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returndesk.core.money import to_minor
from returndesk.policies.domain.advice import (
    AdviceLine,
    AdviceLineInput,
    Suggestion,
    advise,
    is_eu_withdrawal,
    is_free_return,
    paid_share,
    restocking_fee,
    spread,
)
from returndesk.policies.domain.policy import CORE_DEFAULT, Payer, ReturnPolicy
from returndesk.policies.domain.reasons import Reason

# Exponents 0, 2, 3 and 4.
CURRENCIES = ["JPY", "EUR", "KWD", "CLF"]


def amounts(currency: str, max_value: str = "100000") -> st.SearchStrategy[int]:
    """Amounts with exactly the currency's decimals, as its minor units."""
    places = {"JPY": 0, "EUR": 2, "KWD": 3, "CLF": 4}[currency]
    return st.decimals(Decimal(0), Decimal(max_value), places=places).map(lambda amount: to_minor(amount, currency))


# --- spread and paid shares -------------------------------------------------------------------


def test_spread_examples() -> None:
    assert spread(10, [4, 4, 4]) == [3, 3, 4]
    assert spread(499, [1000, 0, 3000]) == [124, 0, 375]
    assert spread(0, [5, 5]) == [0, 0]
    assert spread(0, []) == []


@pytest.mark.parametrize(("total", "weights"), [(11, [5, 5]), (-1, [5]), (1, [3, -1])])
def test_spread_refuses_what_the_weights_cannot_hold(total: int, weights: list[int]) -> None:
    with pytest.raises(ValueError, match="cannot spread"):
        spread(total, weights)


@given(st.sampled_from(CURRENCIES).flatmap(lambda c: st.lists(amounts(c), min_size=1, max_size=12)), st.data())
def test_spread_sums_to_the_total_and_no_part_exceeds_its_weight(weights: list[int], data: st.DataObject) -> None:
    total = data.draw(st.integers(0, sum(weights)))
    parts = spread(total, weights)
    assert sum(parts) == total
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


@given(
    st.sampled_from(CURRENCIES).flatmap(amounts),
    st.integers(1, 40).flatmap(lambda q: st.tuples(st.just(q), st.lists(st.integers(1, q), max_size=q))),
)
def test_paid_shares_of_a_split_sum_to_what_was_paid(paid: int, split: tuple[int, list[int]]) -> None:
    quantity, chunks = split
    # Returns of `chunks` units each, then one unit at a time, until every unit is returned.
    sizes: list[int] = []
    for size in chunks:
        if sum(sizes) + size <= quantity:
            sizes.append(size)
    sizes += [1] * (quantity - sum(sizes))
    held = 0
    shares = []
    for size in sizes:
        shares.append(paid_share(paid=paid, quantity=quantity, held=held, returned=size))
        held += size
    assert sum(shares) == paid
    assert all(share >= 0 for share in shares)


def test_paid_share_examples() -> None:
    # 10.00 for 3 units: 3.33, 3.33, 3.34; two units at once after none: 6.66.
    assert [paid_share(paid=1000, quantity=3, held=h, returned=1) for h in range(3)] == [333, 333, 334]
    assert paid_share(paid=1000, quantity=3, held=0, returned=2) == 666
    with pytest.raises(ValueError, match="units after"):
        paid_share(paid=1000, quantity=3, held=2, returned=2)


# --- restocking fees --------------------------------------------------------------------------


@pytest.mark.parametrize(("share", "fee"), [(25, 2), (35, 4), (45, 4), (1000, 100), (0, 0)])
def test_restocking_fee_rounds_half_even(share: int, fee: int) -> None:
    assert restocking_fee(paid_share=share, percent=Decimal(10), reason=Reason.SIZE_FIT, eu_withdrawal=False) == fee


@given(
    st.sampled_from(CURRENCIES).flatmap(amounts),
    st.decimals(Decimal(0), Decimal(20), places=2),
    st.sampled_from(sorted({Reason.SIZE_FIT, Reason.CHANGED_MIND, Reason.OTHER})),
)
def test_restocking_fees_round_half_even(share: int, percent: Decimal, reason: Reason) -> None:
    exact = Fraction(share) * Fraction(percent) / 100
    # Fraction's round() takes a tie to the even neighbour.
    assert restocking_fee(paid_share=share, percent=percent, reason=reason, eu_withdrawal=False) == round(exact)


@pytest.mark.parametrize(("reason", "eu_withdrawal"), [(Reason.DEFECTIVE, False), (Reason.CHANGED_MIND, True)])
def test_no_restocking_fee_for_seller_fault_nor_on_an_eu_withdrawal(reason: Reason, eu_withdrawal: bool) -> None:
    assert restocking_fee(paid_share=1000, percent=Decimal(20), reason=reason, eu_withdrawal=eu_withdrawal) == 0


# --- free returns and EU withdrawals ----------------------------------------------------------

# 23:30 UTC on 1 March is 2 March in Berlin: the 15-day free window's last day is 17 March.
DELIVERED = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("opened_at", "earlier", "free"),
    [
        (datetime(2026, 3, 17, 22, 59, tzinfo=UTC), 0, True),  # 23:59 on the 17th in Berlin
        (datetime(2026, 3, 17, 23, 0, tzinfo=UTC), 0, False),  # midnight starting the 18th
        (datetime(2026, 3, 5, 12, 0, tzinfo=UTC), 1, False),  # the order's one free return is taken
    ],
)
def test_is_free_return(opened_at: datetime, earlier: int, free: bool) -> None:
    answer = is_free_return(
        opened_at=opened_at,
        delivered_at=DELIVERED,
        time_zone="Europe/Berlin",
        policy=CORE_DEFAULT,
        earlier_free_returns=earlier,
    )
    assert answer is free


def test_more_free_returns_when_the_policy_allows() -> None:
    policy = ReturnPolicy(free_returns_per_order=2, free_window_days=0)
    same_day = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    next_day = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)

    def free(opened_at: datetime, earlier: int) -> bool:
        return is_free_return(
            opened_at=opened_at,
            delivered_at=DELIVERED,
            time_zone="Europe/Berlin",
            policy=policy,
            earlier_free_returns=earlier,
        )

    assert (free(same_day, 1), free(same_day, 2), free(next_day, 0)) == (True, False, False)


def test_an_eu_withdrawal_lasts_14_days_rolled_to_a_business_day() -> None:
    # Delivered 20 March in Berlin: 14 days on is Good Friday 3 April; the period runs until the
    # end of Tuesday 7 April.
    delivered = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

    def withdrawal(opened_at: datetime, country: str) -> bool:
        return is_eu_withdrawal(opened_at=opened_at, delivered_at=delivered, time_zone="Europe/Berlin", country=country)

    assert withdrawal(datetime(2026, 4, 7, 21, 59, tzinfo=UTC), "DE")
    assert not withdrawal(datetime(2026, 4, 7, 22, 0, tzinfo=UTC), "DE")
    assert withdrawal(datetime(2026, 4, 7, 21, 59, tzinfo=UTC), "NO")
    assert not withdrawal(delivered + timedelta(hours=1), "CH")
    assert not withdrawal(delivered + timedelta(hours=1), "US")


# --- the advice -------------------------------------------------------------------------------

POLICY = ReturnPolicy(
    restocking_fee_percent=Decimal(10),
    return_shipping_fee={"EUR": Decimal("4.99")},
    keep_item_below={"EUR": Decimal("5.00")},
)


def advice_for(lines: list[AdviceLineInput], **overrides: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "currency": "EUR",
        "lines": lines,
        "policy": POLICY,
        "free": False,
        "eu_withdrawal": False,
        "order_shipping": 600,
        "order_paid_total": 10000,
        "shipping_refunded": 0,
        "leaves_order_returned": False,
    } | overrides
    return advise(**args)  # type: ignore[arg-type]


SHOES = AdviceLineInput(line="L1", quantity=1, paid_share=4000, reason=Reason.SIZE_FIT)
LAMP = AdviceLineInput(line="L2", quantity=2, paid_share=3000, reason=Reason.DEFECTIVE)
SCARF = AdviceLineInput(line="L3", quantity=1, paid_share=1000, reason=Reason.CHANGED_MIND)


def test_restocking_fee_and_the_return_shipping_fee_over_the_lines_the_buyer_pays_for() -> None:
    advice = advice_for([SHOES, LAMP, SCARF])

    # Restocking 10 % of 40.00 and 10.00; the 4.99 fee spread over 36.00 and 9.00 left on them;
    # the lamp (defective) gets 6.00 shipping x 30.00 / 100.00 = 1.80 of the order's shipping.
    assert advice.lines == (
        AdviceLine(line="L1", quantity=1, paid_share=4000, restocking_fee=400, return_shipping_fee=399, refund=3201),
        AdviceLine(line="L2", quantity=2, paid_share=3000, restocking_fee=0, return_shipping_fee=0, refund=3000),
        AdviceLine(line="L3", quantity=1, paid_share=1000, restocking_fee=100, return_shipping_fee=100, refund=800),
    )
    assert (
        advice.shipping_refund,
        advice.return_shipping_paid_by,
        advice.free,
        advice.return_shipping_fee,
        advice.refund_total,
        advice.eu_withdrawal,
    ) == (180, Payer.BUYER, False, 499, 3201 + 3000 + 800 + 180, False)
    assert (advice.suggestion, advice.message) == (Suggestion.SHIP, "Send it back: 71.81 EUR would be refunded.")


def test_a_free_return_pays_no_return_shipping_fee() -> None:
    advice = advice_for([SHOES], free=True)

    assert (advice.free, advice.return_shipping_fee, advice.lines[0].refund) == (True, 0, 3600)


def test_the_seller_pays_return_shipping_for_seller_fault_and_where_the_policy_says() -> None:
    seller_pays = ReturnPolicy(
        return_shipping_fee={"EUR": Decimal("4.99")},
        return_shipping_paid_by={Reason.SIZE_FIT: Payer.SELLER, Reason.CHANGED_MIND: Payer.BUYER},
    )

    assert (advice_for([LAMP]).return_shipping_paid_by, advice_for([LAMP]).return_shipping_fee) == (Payer.SELLER, 0)
    assert advice_for([SHOES], policy=seller_pays).return_shipping_fee == 0
    assert advice_for([SHOES, SCARF], policy=seller_pays).lines[1].return_shipping_fee == 499


def test_a_currency_missing_from_the_fee_map_pays_no_fee() -> None:
    advice = advice_for(
        [AdviceLineInput(line="L1", quantity=1, paid_share=400000, reason=Reason.OTHER)], currency="JPY"
    )

    assert (advice.return_shipping_paid_by, advice.return_shipping_fee, advice.lines[0].restocking_fee) == (
        Payer.BUYER,
        0,
        40000,
    )


def test_the_return_that_completes_the_order_gets_the_shipping_not_yet_refunded() -> None:
    seller_fault = advice_for([LAMP], leaves_order_returned=True, shipping_refunded=100)
    withdrawal = advice_for([SHOES], leaves_order_returned=True, eu_withdrawal=True)
    buyers_choice = advice_for([SHOES], leaves_order_returned=True)

    assert (seller_fault.shipping_refund, withdrawal.shipping_refund, buyers_choice.shipping_refund) == (500, 600, 0)
    # An EU withdrawal pays no restocking fee; its return shipping is the buyer's.
    assert (withdrawal.eu_withdrawal, withdrawal.lines[0].restocking_fee, withdrawal.return_shipping_fee) == (
        True,
        0,
        499,
    )


def test_the_shipping_share_never_exceeds_what_is_left_to_refund() -> None:
    assert advice_for([LAMP], shipping_refunded=550).shipping_refund == 50


def test_keep_the_item_below_the_policys_amount() -> None:
    cheap = AdviceLineInput(line="L1", quantity=1, paid_share=499, reason=Reason.DEFECTIVE)

    advice = advice_for([cheap])

    assert (advice.suggestion, advice.message) == (
        Suggestion.KEEP_ITEM,
        "Keep the item: returns worth less than 5.00 EUR are refunded without sending anything back.",
    )
    assert advice_for([cheap], policy=CORE_DEFAULT).suggestion is Suggestion.SHIP


def test_not_worth_returning_when_the_fees_take_everything() -> None:
    cheap = AdviceLineInput(line="L1", quantity=1, paid_share=600, reason=Reason.CHANGED_MIND)
    policy = ReturnPolicy(restocking_fee_percent=Decimal(20), return_shipping_fee={"EUR": Decimal("9.99")})

    advice = advice_for([cheap], policy=policy, order_shipping=0)

    assert (advice.lines[0].restocking_fee, advice.lines[0].return_shipping_fee, advice.refund_total) == (120, 480, 0)
    assert (advice.return_shipping_fee, advice.suggestion, advice.message) == (
        480,
        Suggestion.NOT_WORTH_RETURNING,
        "Not worth returning: the fees take the whole refund, nothing would come back.",
    )
