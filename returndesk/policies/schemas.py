"""Request and response bodies of the policies: a PUT's fields, a version and a seller's policy.

The PUT's schema checks types only (and documents them); ``domain.policy`` parses the values
(currencies, decimals) and judges the ranges and bounds, for the API and the page alike.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from returndesk.core.schemas import InSchema, StrictBool, StrictInt
from returndesk.policies.domain.policy import bounds_to_json, policy_to_json
from returndesk.policies.selectors import SellerPolicy, VersionedPolicy

MONEY_MAP = 'Amounts by ISO 4217 code, as decimal strings in the currency\'s decimals ({"EUR": "4.99"})'
BuyerChoice = Literal["size_fit", "changed_mind", "other"]
Payer = Literal["buyer", "seller"]
ReasonCode = Literal[
    "defective",
    "not_as_described",
    "wrong_item",
    "damaged_in_transit",
    "missing_parts",
    "size_fit",
    "changed_mind",
    "other",
]


class AutoApproveIn(InSchema):
    reasons: list[ReasonCode] = Field(default_factory=list, max_length=8)
    max_line_paid: dict[str, str] = Field(default_factory=dict, description=MONEY_MAP)
    max_days_since_delivery: StrictInt | None = None


class ClockDaysIn(InSchema):
    seller_answer: StrictInt = 5
    offer_answer: StrictInt = 3
    ship_within: StrictInt = 10
    transit: StrictInt = 30
    receive_after_delivery: StrictInt = 5
    inspect_within: StrictInt = 5
    refund_within: StrictInt = 2
    refund_attention: StrictInt = 3
    manual_refund_confirm: StrictInt = 3
    escalation_window: StrictInt = 15
    dispute_decision: StrictInt = 7
    close_after_resolution: StrictInt = 15


class SellerBoundsIn(InSchema):
    min_window_days: StrictInt = 14
    max_window_days: StrictInt = 365
    max_restocking_fee_percent: str = "20"
    max_return_shipping_fee: dict[str, str] = Field(default_factory=dict, description=MONEY_MAP)
    editable: list[str] | None = Field(default=None, max_length=20, description="Left out: every editable field")


class PolicyIn(InSchema):
    """The fields to change; those left out keep their values. An object or map replaces the old
    one whole."""

    window_days: StrictInt | None = None
    free_window_days: StrictInt | None = None
    free_returns_per_order: StrictInt | None = None
    return_shipping_paid_by: dict[BuyerChoice, Payer] | None = None
    return_shipping_fee: dict[str, str] | None = Field(default=None, description=MONEY_MAP)
    restocking_fee_percent: str | None = Field(default=None, description="A percentage, at most 2 decimals")
    non_returnable_categories: list[str] | None = Field(default=None, max_length=10_000)
    non_returnable_skus: list[str] | None = Field(default=None, max_length=10_000)
    auto_approve: AutoApproveIn | None = None
    keep_item_below: dict[str, str] | None = Field(default=None, description=MONEY_MAP)
    exchanges: StrictBool | None = None
    hold_refunds_above: dict[str, str] | None = Field(default=None, description=MONEY_MAP)
    clock_days: ClockDaysIn | None = None
    seller_bounds: SellerBoundsIn | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the body sent, as JSON values (``seller_bounds`` may be sent as null)."""
        return self.model_dump(mode="json", exclude_unset=True)


class AutoApproveOut(Schema):
    reasons: list[str]
    max_line_paid: dict[str, str]
    max_days_since_delivery: int | None


class SellerBoundsOut(Schema):
    min_window_days: int
    max_window_days: int
    max_restocking_fee_percent: str
    max_return_shipping_fee: dict[str, str]
    editable: list[str]


class VersionOut(Schema):
    seller: str | None = Field(description="The seller's external id; null: the platform's default")
    version: int
    effective_at: AwareDatetime
    window_days: int
    free_window_days: int
    free_returns_per_order: int
    return_shipping_paid_by: dict[str, str]
    return_shipping_fee: dict[str, str]
    restocking_fee_percent: str
    non_returnable_categories: list[str]
    non_returnable_skus: list[str]
    auto_approve: AutoApproveOut
    keep_item_below: dict[str, str]
    exchanges: bool
    hold_refunds_above: dict[str, str]
    clock_days: dict[str, int]
    seller_bounds: SellerBoundsOut | None = Field(description="The default's only")


class HistoryItemOut(Schema):
    version: int
    effective_at: AwareDatetime
    changed: list[str] = Field(description="The fields this version changed from the one in force before it")


class PolicyOut(VersionOut):
    inherited: bool = Field(description="True: the seller has no version of its own; this is the default's")
    history: list[HistoryItemOut] = Field(description="The seller's own versions (the default's), newest first")
    bounds: SellerBoundsOut | None = Field(description="The default's seller_bounds that bind this seller")


def version_data(versioned: VersionedPolicy, seller: str | None) -> dict[str, Any]:
    return {"seller": seller, "version": versioned.version, "effective_at": versioned.effective_at} | policy_to_json(
        versioned.policy
    )


def policy_data(view: SellerPolicy) -> dict[str, Any]:
    bounds = view.bounds
    # A seller's policy holds no bounds, even while it inherits the default's (which does): the
    # bounds that bind the seller are ``bounds``, and a GET's fields can be PUT back as they are.
    own = {"seller_bounds": None} if view.seller is not None else {}
    return (
        version_data(view.in_force, view.seller)
        | own
        | {
            "inherited": view.inherited,
            "history": [
                {"version": item.version, "effective_at": item.effective_at, "changed": list(item.changed)}
                for item in view.history
            ],
            "bounds": None if bounds is None else bounds_to_json(bounds),
        }
    )
