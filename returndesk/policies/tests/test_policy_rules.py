"""The PUT's rules, pure: parsing a body, merging it, and every range and seller bound."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from returndesk.policies.domain.policy import (
    CORE_DEFAULT,
    AutoApprove,
    Bound,
    ClockDays,
    Payer,
    Problem,
    SellerBounds,
    policy_changes_parse,
    policy_merge,
    policy_problems,
    policy_to_json,
)
from returndesk.policies.domain.reasons import Reason

SELLER = replace(CORE_DEFAULT, seller_bounds=None)
BOUNDS = SellerBounds(max_return_shipping_fee=MappingProxyType({"EUR": Decimal("6.00")}))


def judged(body: dict[str, Any], *, seller: bool = True) -> list[tuple[tuple[str | int, ...], str]]:
    changes, malformed = policy_changes_parse(body)
    assert malformed == ()
    current = SELLER if seller else CORE_DEFAULT
    policy = policy_merge(current, changes)
    problems = policy_problems(policy, current=current, bounds=BOUNDS if seller else None, sent=changes)
    return [(problem.loc, problem.code) for problem in problems]


def malformed(body: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(problem.loc, problem.code) for problem in policy_changes_parse(body)[1]]


def test_omitted_fields_keep_their_values_and_objects_replace_whole() -> None:
    current = replace(SELLER, return_shipping_fee=MappingProxyType({"EUR": Decimal("4.99")}), window_days=40)
    changes, problems = policy_changes_parse(
        {"return_shipping_fee": {"USD": "3.50"}, "auto_approve": {"reasons": ["defective"]}}
    )

    merged = policy_merge(current, changes)

    assert problems == ()
    assert merged == replace(
        current,
        return_shipping_fee={"USD": Decimal("3.50")},
        auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)),
    )
    assert merged.window_days == 40


def test_a_document_parses_back_to_its_policy() -> None:
    changes, problems = policy_changes_parse(policy_to_json(CORE_DEFAULT))

    assert problems == ()
    assert policy_merge(SELLER, changes) == CORE_DEFAULT


def test_the_default_policy_is_within_every_bound() -> None:
    assert judged({}, seller=False) == []
    assert judged({}) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"window_days": 7, "free_window_days": 7}, [(("window_days",), Bound.BELOW_MINIMUM)]),
        # The free window may not outlast the window.
        ({"window_days": 14}, [(("free_window_days",), Bound.ABOVE_MAXIMUM)]),
        ({"window_days": 14, "free_window_days": 14}, []),
        ({"window_days": 365}, []),
        ({"window_days": 366}, [(("window_days",), Bound.ABOVE_MAXIMUM)]),
        ({"free_window_days": -1}, [(("free_window_days",), Bound.BELOW_MINIMUM)]),
        ({"free_window_days": 30}, []),
        ({"free_window_days": 31}, [(("free_window_days",), Bound.ABOVE_MAXIMUM)]),
        ({"free_returns_per_order": 100}, []),
        ({"free_returns_per_order": 101}, [(("free_returns_per_order",), Bound.ABOVE_MAXIMUM)]),
        ({"free_returns_per_order": -1}, [(("free_returns_per_order",), Bound.BELOW_MINIMUM)]),
        ({"restocking_fee_percent": "20"}, []),
        ({"restocking_fee_percent": "20.01"}, [(("restocking_fee_percent",), Bound.ABOVE_MAXIMUM)]),
        ({"restocking_fee_percent": "-1"}, [(("restocking_fee_percent",), Bound.BELOW_MINIMUM)]),
        ({"return_shipping_fee": {"EUR": "6.00"}}, []),
        ({"return_shipping_fee": {"EUR": "6.01"}}, [(("return_shipping_fee", "EUR"), Bound.ABOVE_MAXIMUM)]),
        ({"return_shipping_fee": {"EUR": "-0.01"}}, [(("return_shipping_fee", "EUR"), Bound.BELOW_MINIMUM)]),
        ({"return_shipping_fee": {"GBP": "1.00"}}, [(("return_shipping_fee", "GBP"), Bound.CURRENCY_NOT_ALLOWED)]),
        ({"non_returnable_skus": ["S"] * 500}, []),
        ({"non_returnable_categories": ["C"] * 501}, [(("non_returnable_categories",), Bound.ABOVE_MAXIMUM)]),
        ({"auto_approve": {"reasons": ["defective"], "max_days_since_delivery": 30}}, []),
        (
            {"auto_approve": {"reasons": ["defective"], "max_days_since_delivery": 31}},
            [(("auto_approve", "max_days_since_delivery"), Bound.ABOVE_MAXIMUM)],
        ),
        ({"keep_item_below": {"JPY": "-1"}}, [(("keep_item_below", "JPY"), Bound.BELOW_MINIMUM)]),
        # Not editable: refused unless sent with its current value.
        ({"clock_days": {"transit": 20}}, [(("clock_days",), Bound.NOT_EDITABLE)]),
        ({"clock_days": policy_to_json(CORE_DEFAULT)["clock_days"]}, []),
        ({"hold_refunds_above": {"EUR": "100.00"}}, [(("hold_refunds_above",), Bound.NOT_EDITABLE)]),
        ({"hold_refunds_above": {}}, []),
        ({"seller_bounds": None}, []),
        ({"seller_bounds": {}}, [(("seller_bounds",), Bound.NOT_EDITABLE)]),
    ],
)
def test_each_seller_bound(body: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]) -> None:
    assert judged(body) == expected


def test_a_field_the_default_makes_uneditable_is_refused_unless_unchanged() -> None:
    bounds = replace(BOUNDS, editable=("window_days",))
    changes, _ = policy_changes_parse({"exchanges": False, "window_days": 20, "free_window_days": 15})
    policy = policy_merge(SELLER, changes)

    problems = policy_problems(policy, current=SELLER, bounds=bounds, sent=changes)

    assert problems == (
        Problem(
            ("exchanges",),
            Bound.NOT_EDITABLE,
            "Only the platform sets exchanges: send its current value or leave it out.",
        ),
    )


def test_the_window_is_refused_below_the_seller_minimum_and_its_message_says_so() -> None:
    changes, _ = policy_changes_parse({"window_days": 7, "free_window_days": 0})
    policy = policy_merge(SELLER, changes)

    (problem,) = policy_problems(policy, current=SELLER, bounds=BOUNDS, sent=changes)

    assert problem == Problem(
        ("window_days",), Bound.BELOW_MINIMUM, "window_days must be at least 14 days (the EU's right of withdrawal)."
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # The platform: only ranges and the EU floor, no seller bound.
        ({"window_days": 13, "free_window_days": 13}, [(("window_days",), Bound.BELOW_MINIMUM)]),
        ({"window_days": 1000, "restocking_fee_percent": "50"}, []),
        ({"restocking_fee_percent": "100.01"}, [(("restocking_fee_percent",), Bound.ABOVE_MAXIMUM)]),
        ({"return_shipping_fee": {"GBP": "9.00"}, "clock_days": {"transit": 20}}, []),
        ({"clock_days": {"transit": 0}}, [(("clock_days", "transit"), Bound.BELOW_MINIMUM)]),
        ({"clock_days": {"transit": 60, "seller_answer": 1}}, []),
        ({"clock_days": {"transit": 61}}, [(("clock_days", "transit"), Bound.ABOVE_MAXIMUM)]),
        ({"seller_bounds": {"min_window_days": 13}}, [(("seller_bounds", "min_window_days"), Bound.BELOW_MINIMUM)]),
        (
            {"seller_bounds": {"min_window_days": 30, "max_window_days": 20}},
            [(("seller_bounds", "max_window_days"), Bound.BELOW_MINIMUM)],
        ),
        (
            {"seller_bounds": {"max_restocking_fee_percent": "101"}},
            [(("seller_bounds", "max_restocking_fee_percent"), Bound.ABOVE_MAXIMUM)],
        ),
        (
            {"seller_bounds": {"max_return_shipping_fee": {"EUR": "-1.00"}}},
            [(("seller_bounds", "max_return_shipping_fee", "EUR"), Bound.BELOW_MINIMUM)],
        ),
    ],
)
def test_the_platform_keeps_only_the_ranges_and_the_eu_floor(
    body: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    assert judged(body, seller=False) == expected


def test_a_clocks_object_replaces_the_old_one_whole() -> None:
    changes, _ = policy_changes_parse({"clock_days": {"transit": 20}})

    assert policy_merge(CORE_DEFAULT, changes).clock_days == ClockDays(transit=20)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"window_days": "30"}, [(("window_days",), "invalid")]),
        ({"window_days": True}, [(("window_days",), "invalid")]),
        ({"exchanges": "yes"}, [(("exchanges",), "invalid")]),
        ({"colour": "red"}, [(("colour",), "extra_forbidden")]),
        ({"return_shipping_fee": {"EURO": "1.00"}}, [(("return_shipping_fee", "EURO"), "invalid")]),
        ({"return_shipping_fee": {"EUR": "1.001"}}, [(("return_shipping_fee", "EUR"), "invalid")]),
        ({"return_shipping_fee": {"JPY": "1.5"}}, [(("return_shipping_fee", "JPY"), "invalid")]),
        ({"return_shipping_fee": {"EUR": 1}}, [(("return_shipping_fee", "EUR"), "invalid")]),
        ({"return_shipping_fee": {"EUR": "NaN"}}, [(("return_shipping_fee", "EUR"), "invalid")]),
        ({"return_shipping_fee": {"EUR": "abc"}}, [(("return_shipping_fee", "EUR"), "invalid")]),
        ({"return_shipping_fee": ["EUR"]}, [(("return_shipping_fee",), "invalid")]),
        ({"restocking_fee_percent": "10.005"}, [(("restocking_fee_percent",), "invalid")]),
        ({"return_shipping_paid_by": {"defective": "buyer"}}, [(("return_shipping_paid_by", "defective"), "invalid")]),
        ({"return_shipping_paid_by": {"size_fit": "nobody"}}, [(("return_shipping_paid_by", "size_fit"), "invalid")]),
        ({"non_returnable_skus": "SKU-1"}, [(("non_returnable_skus",), "invalid")]),
        ({"non_returnable_skus": ["A", ""]}, [(("non_returnable_skus", 1), "invalid")]),
        ({"auto_approve": {"reasons": ["late"]}}, [(("auto_approve", "reasons", 0), "invalid")]),
        ({"auto_approve": {"reasons": ["defective", "defective"]}}, [(("auto_approve", "reasons"), "invalid")]),
        ({"auto_approve": {"when": 1}}, [(("auto_approve",), "invalid")]),
        ({"clock_days": {"nap": 1}}, [(("clock_days", "nap"), "invalid")]),
        ({"seller_bounds": {"editable": ["clock_days"]}}, [(("seller_bounds", "editable", 0), "invalid")]),
    ],
)
def test_a_malformed_value_is_named_by_its_path(
    body: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    assert malformed(body) == expected


def test_payers_parse_for_buyer_choice_reasons() -> None:
    changes, problems = policy_changes_parse({"return_shipping_paid_by": {"size_fit": "seller"}})

    assert problems == ()
    # The reasons left out are the buyer's to pay, as in the default: every version names all three.
    assert changes["return_shipping_paid_by"] == {
        Reason.CHANGED_MIND: Payer.BUYER,
        Reason.OTHER: Payer.BUYER,
        Reason.SIZE_FIT: Payer.SELLER,
    }
    assert policy_merge(SELLER, changes).return_shipping_payer(Reason.CHANGED_MIND) is Payer.BUYER


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"exchanges": False}, []),
        ({"exchanges": False, "restocking_fee_percent": "20", "window_days": 400}, []),
        ({"restocking_fee_percent": "15"}, [(("restocking_fee_percent",), Bound.ABOVE_MAXIMUM)]),
        ({"window_days": 380}, [(("window_days",), Bound.ABOVE_MAXIMUM)]),
        (
            {"return_shipping_fee": {"EUR": "8.00", "USD": "1.00"}},
            [(("return_shipping_fee", "USD"), Bound.CURRENCY_NOT_ALLOWED)],
        ),
    ],
    ids=["another field", "the same values sent back", "a new fee above", "a new window above", "a new currency"],
)
def test_a_value_the_seller_does_not_change_is_not_judged_again_by_the_bounds(
    body: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    # The fees predate the platform's lowering their maximums (10%, EUR 6.00); the window is
    # inherited from a default of 400 days, which the seller bounds (at most 365) do not bind.
    current = replace(
        SELLER,
        restocking_fee_percent=Decimal(20),
        window_days=400,
        return_shipping_fee=MappingProxyType({"EUR": Decimal("8.00")}),
    )
    bounds = replace(BOUNDS, max_restocking_fee_percent=Decimal(10))
    changes, _ = policy_changes_parse(body)

    problems = policy_problems(policy_merge(current, changes), current=current, bounds=bounds, sent=changes)

    assert [(problem.loc, problem.code) for problem in problems] == expected


def test_a_zero_typed_with_a_minus_sign_is_zero() -> None:
    changes, malformed = policy_changes_parse({"restocking_fee_percent": "-0", "keep_item_below": {"EUR": "-0.00"}})

    document = policy_to_json(policy_merge(SELLER, changes))

    assert (malformed, document["restocking_fee_percent"], document["keep_item_below"]) == ((), "0", {"EUR": "0.00"})
