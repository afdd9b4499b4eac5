"""The refund ledger: offers, refunds, their lines, and one transaction per payment drawn.

Amounts are written only by ``refunds.services`` (and the transaction services beside it), which
also keep the running totals on the return's and the order's rows (``refunded`` columns, with
CHECK constraints there) equal to the sum of the live transactions.
"""

from __future__ import annotations

from django.db import models

from returndesk.core.fields import choices, money_field
from returndesk.refunds.domain.states import OfferState, RefundKind, TransactionStatus


class Offer(models.Model):
    """A seller's partial-refund proposal on a return; accepted, it becomes a refund of kind ``offer``."""

    return_request = models.ForeignKey("returns.Return", on_delete=models.PROTECT, related_name="offers")
    amount = money_field()
    currency = models.CharField(max_length=3)
    message = models.TextField()
    state = models.CharField(max_length=16, choices=choices(OfferState), default=OfferState.OPEN)
    made_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # Who made it, as ``ReturnEvent`` records an actor.
    made_by_kind = models.CharField(max_length=16)
    made_by_id = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["return_request", "made_at", "id"], name="offer_return_made")]

    def __str__(self) -> str:
        return f"offer of {self.amount} {self.currency} ({self.state})"


class Refund(models.Model):
    """One decision to pay money back on a return (a refund, a keep, an accepted offer)."""

    return_request = models.ForeignKey("returns.Return", on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(max_length=8, choices=choices(RefundKind))
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds")
    currency = models.CharField(max_length=3)
    shipping_amount = money_field(default=0)
    total = money_field()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by_kind = models.CharField(max_length=16)
    created_by_id = models.CharField(max_length=100, blank=True)
    # The Idempotency-Key (or a page's form token) it was asked with: a repeat gets this refund.
    request_key = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["return_request", "request_key"],
                condition=~models.Q(request_key=""),
                name="refund_request_key_once",
            ),
            models.CheckConstraint(condition=models.Q(total__gt=0), name="refund_total_positive"),
            models.CheckConstraint(condition=models.Q(shipping_amount__gte=0), name="refund_shipping_not_negative"),
        ]
        indexes = [models.Index(fields=["return_request", "created_at", "id"], name="refund_return_created")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.total} {self.currency}"


class RefundLine(models.Model):
    """What one refund pays for one returned line, and how the amount came about."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    return_line = models.ForeignKey("returns.ReturnLine", on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField()
    paid_share = money_field()
    restocking_fee = money_field(default=0)
    return_shipping_fee = money_field(default=0)
    amount = money_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["refund", "return_line"], name="refund_line_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="refund_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} for return line {self.return_line_id}"


class RefundTransaction(models.Model):
    """The part of a refund paid back to one payment of the order, through its gateway."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="transactions")
    payment = models.ForeignKey("marketplace.Payment", on_delete=models.PROTECT, related_name="refund_transactions")
    gateway = models.CharField(max_length=64)
    amount = money_field()
    status = models.CharField(max_length=16, choices=choices(TransactionStatus), default=TransactionStatus.PENDING)
    # What a pending transaction waits for: ``gateway`` (polled), ``confirmation`` (manual), or blank.
    awaiting = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)
    gateway_reference = models.CharField(max_length=255, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_transaction_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_transaction_status")]

    def __str__(self) -> str:
        return f"{self.amount} to payment {self.payment_id} ({self.status})"
