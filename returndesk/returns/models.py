"""Returns: one record per return (one parcel), its lines, and its append-only event timeline.

Only the services in ``returndesk.returns.services`` assign ``status``; the lifecycle rules live
in ``returndesk.returns.domain.lifecycle``.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models

from returndesk.core.fields import choices, money_field
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain import anomalies, codes
from returndesk.returns.domain.lifecycle import (
    Condition,
    DueAction,
    LineOutcome,
    Resolution,
    Status,
)
from returndesk.returns.domain.requests import PreferredResolution


class Return(models.Model):
    # Unique by a constraint (Meta), not ``unique=True``: on PostgreSQL that would add a second
    # index for LIKE prefixes, which no query asks and every insert and status change would write.
    code = models.CharField(max_length=codes.CODE_LENGTH)
    order = models.ForeignKey("marketplace.Order", on_delete=models.PROTECT, related_name="returns")
    # Copied from the order so that scoping and listing by seller or buyer need no join. Their
    # indexes are the listing ones (Meta), which lead with them: an index of its own each would
    # be written by every insert and status change and serve nothing those do not.
    seller = models.ForeignKey("marketplace.Seller", on_delete=models.PROTECT, related_name="returns", db_index=False)
    buyer = models.ForeignKey("marketplace.Buyer", on_delete=models.PROTECT, related_name="returns", db_index=False)
    status = models.CharField(max_length=16, choices=choices(Status), default=Status.REQUESTED)
    status_since = models.DateTimeField()
    # The status a closed return came from: a return closed after rejection frees its units.
    closed_from = models.CharField(max_length=16, choices=choices(Status), blank=True)
    resolution = models.CharField(max_length=16, choices=choices(Resolution), default=Resolution.NONE)
    # What the lifecycle reads of the refund ledger (``refunds``), written by its services through
    # ``return_transition``: whether a partial-refund offer is open and since when, how long offers
    # were open in the current status (the clocks pause meanwhile), when the money is due at the
    # buyer (the end of the buyer-local day of the latest expected arrival), when a refund needs
    # someone's attention, and whether every live transaction succeeded.
    offer_open = models.BooleanField(default=False)
    offer_made_at = models.DateTimeField(null=True, blank=True)
    offer_paused = models.DurationField(default=timedelta(0))
    money_due_at = models.DateTimeField(null=True, blank=True)
    attention_at = models.DateTimeField(null=True, blank=True)
    settled = models.BooleanField(default=False)
    # Running totals of the return's live refunds (transactions not cancelled), in the order's
    # currency: all of it, and the part that pays back the order's shipping.
    refunded = money_field(default=0)
    shipping_refunded = money_field(default=0)
    # True once a handover or a receipt is recorded: the code has then been used.
    parcel_recorded = models.BooleanField(default=False)
    # Normalised (``domain.tracking``); blank until a handover or a tracking event records one.
    tracking_number = models.CharField(max_length=64, blank=True)
    # When the carrier reported the parcel delivered to the seller: starts the receive clock.
    delivered_to_seller_at = models.DateTimeField(null=True, blank=True)
    ship_by = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    due_action = models.CharField(max_length=16, choices=choices(DueAction), blank=True)
    # The policy version in force when the return opened: its clocks and rules for good.
    policy = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, db_column="policy_version", related_name="returns"
    )
    # What the buyer asked for in the end; the seller decides (``resolution``).
    preferred_resolution = models.CharField(
        max_length=16, choices=choices(PreferredResolution), default=PreferredResolution.REFUND
    )
    # Judged once, as the return opened, under its policy version: the refund ledger reads these.
    free_return = models.BooleanField(default=False)
    eu_withdrawal = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="return_newest"),
            models.Index(fields=["seller", "-created_at", "-id"], name="return_seller_newest"),
            models.Index(fields=["buyer", "-created_at", "-id"], name="return_buyer_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="return_status_newest"),
            models.Index(fields=["due_at"], name="return_due"),
            models.Index(fields=["tracking_number"], name="return_tracking_number"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="return_code_unique"),
            models.CheckConstraint(
                condition=models.Q(shipping_refunded__gte=0, refunded__gte=models.F("shipping_refunded")),
                name="return_refunded_within",
            ),
        ]

    def __str__(self) -> str:
        return codes.display(self.code)

    @property
    def code_display(self) -> str:
        return codes.display(self.code)


class ReturnLine(models.Model):
    return_request = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey("marketplace.OrderLine", on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=24, choices=choices(Reason))
    note = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=choices(LineOutcome), default=LineOutcome.PENDING)
    condition = models.CharField(max_length=16, choices=choices(Condition), blank=True)
    # The part of the order line's paid amount these units carry, fixed as the return opens so
    # that unit-by-unit returns add up to what was paid (``policies.domain.advice.paid_share``).
    paid_share = money_field(default=0)
    # The variant the buyer wants instead, for an exchange; blank when none is named.
    exchange_variant_id = models.CharField(max_length=100, blank=True)
    # What the return's live refunds pay back for these units: never more than their paid share.
    refunded = money_field(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["return_request", "order_line"], name="return_line_once"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded__gte=0, refunded__lte=models.F("paid_share")),
                name="return_line_refunded_within_paid_share",
            ),
        ]

    def __str__(self) -> str:
        # Reads the order line: list return lines with select_related("order_line").
        return f"{self.quantity} x {self.order_line}"


class ReturnAnomaly(models.Model):
    """A receipt anomaly recorded beside the status (``item_mismatch``, ``short``, ...), never a
    status of its own.

    ``code`` is one the registry in ``domain.anomalies`` knew when the row was written; a code
    nobody registers any more stays stored and shown, and the lifecycle ignores it. ``source`` is
    the action that recorded the anomaly (``inspect``, ``receive``, ``handover``; ``migration``
    for the rows moved from the old JSON list); the API does not show it.
    """

    return_request = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="anomalies")
    # The returned line the anomaly is about; null for the parcel as a whole.
    line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, null=True, blank=True, related_name="anomalies")
    code = models.CharField(max_length=anomalies.CODE_MAX_LENGTH)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    source = models.CharField(max_length=24)
    # What lies behind the anomaly: the SKU, GTIN, quantities or weights that showed it.
    data = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.code} on {self.return_request_id}"


class ReturnEvent(models.Model):
    """One entry of a return's timeline. Append-only; refers to people by id only, never copies
    personal data, so a buyer can be erased without rewriting history."""

    # Indexed by the timeline's index (Meta), which leads with it.
    return_request = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=100, blank=True)
    on_behalf_of = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["return_request", "at", "id"], name="return_event_timeline")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or 'new'} -> {self.to_status}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Return events are append-only.")
        super().save(*args, **kwargs)
