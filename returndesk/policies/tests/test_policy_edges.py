"""Values at the edges of a PUT: never a 500, and a seller's GET PUT back as it came."""

from __future__ import annotations

import pytest

from returndesk.policies.models import PolicyVersion
from returndesk.policies.tests.test_policy_api import get, put
from returndesk.testing import Keys

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [
        {"restocking_fee_percent": "1e40"},
        {"restocking_fee_percent": "1E+1"},
        {"keep_item_below": {"EUR": "1e30"}},
        {"return_shipping_fee": {"EUR": "1234567890123456.00"}},
    ],
)
def test_an_amount_in_exponent_form_or_past_the_columns_is_a_validation_error(keys: Keys, body: dict) -> None:
    response = put(keys, "platform", "S-A", body)

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert PolicyVersion.objects.count() == 1


def test_a_window_past_ten_years_is_above_the_maximum(keys: Keys) -> None:
    answers = [
        put(keys, "platform", "S-A", {"window_days": 4_000_000}),
        put(keys, "platform", "default", {"seller_bounds": {"max_window_days": 10**7}}),
    ]

    assert [(a.status_code, [(e["loc"], e["code"]) for e in a.json()["errors"]]) for a in answers] == [
        (422, [(["body", "window_days"], "above_maximum")]),
        (422, [(["body", "seller_bounds", "max_window_days"], "above_maximum")]),
    ]


def test_a_sellers_inherited_policy_puts_back_as_it_came(keys: Keys) -> None:
    shown = get(keys, "seller_a", "S-A").json()
    fields = {
        k: v
        for k, v in shown.items()
        if k not in ("seller", "version", "effective_at", "inherited", "history", "bounds")
    }

    back = put(keys, "seller_a", "S-A", fields)

    assert (shown["seller_bounds"], back.status_code, back.json()["version"]) == (None, 200, 1)
    assert PolicyVersion.objects.count() == 1


def test_who_pays_return_shipping_names_every_buyers_choice_reason(keys: Keys) -> None:
    partial = put(keys, "platform", "S-A", {"return_shipping_paid_by": {"size_fit": "seller"}})
    same = put(keys, "platform", "S-A", {"return_shipping_paid_by": {"size_fit": "seller", "other": "buyer"}})

    assert partial.json()["return_shipping_paid_by"] == {
        "changed_mind": "buyer",
        "other": "buyer",
        "size_fit": "seller",
    }
    assert (same.json()["version"], PolicyVersion.objects.count()) == (partial.json()["version"], 2)
