"""The marketplace's own data, imported from the operator: sellers, buyers, orders, payments."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models.functions import Lower

from returndesk.core.fields import money_field


class Seller(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    email = models.EmailField(blank=True)
    # {name, lines, city, postal_code, country}; where buyers send parcels.
    return_address = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def city(self) -> str:
        return str((self.return_address or {}).get("city", ""))


class Buyer(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    email = models.EmailField()
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    locale = models.CharField(max_length=16, blank=True)
    # IANA zone: return windows end at the end of the buyer's local day.
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField()

    class Meta:
        # Customer service finds a buyer's returns by email, typed in any case.
        indexes = [models.Index(Lower("email"), name="buyer_email_lower")]

    def __str__(self) -> str:
        return self.external_id


class Order(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(max_length=100, blank=True)
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(Buyer, on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(max_length=3)
    placed_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    shipping_amount = money_field()
    # Running totals of the live refunds (transactions not cancelled) of all the order's returns:
    # all of it (lines and shipping), and the part that pays back the shipping. The lines' own
    # totals, each within its paid amount, and this one within the shipping keep the whole within
    # what was paid; the refund ledger writes all of them under the order's lock.
    refunded = money_field(default=0)
    shipping_refunded = money_field(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    shipping_refunded__gte=0,
                    shipping_refunded__lte=models.F("shipping_amount"),
                    refunded__gte=models.F("shipping_refunded"),
                ),
                name="order_refunded_within",
            ),
        ]
        indexes = [
            # Returns are found by the order number the buyer quotes.
            models.Index(fields=["number"], name="order_number"),
            # A buyer's orders, newest first, a page at a time.
            models.Index(fields=["buyer", "-placed_at", "-id"], name="order_buyer_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} (number {self.number})" if self.number else self.external_id


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    external_id = models.CharField(max_length=100)
    sku = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = money_field()
    # What was paid for the whole line after discounts, tax included: refunds count from this.
    paid_amount = money_field()
    category = models.CharField(max_length=100)
    gtin = models.CharField(max_length=14, blank=True)
    variant_id = models.CharField(max_length=100, blank=True)
    weight_g = models.PositiveIntegerField(null=True, blank=True)
    final_sale = models.BooleanField(default=False)
    # Set when the line arrived apart from the rest of the order.
    delivered_at = models.DateTimeField(null=True, blank=True)
    # What the live refunds of its returns pay back for this line (the refund ledger's running total).
    refunded = money_field(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="order_line_external_id"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded__gte=0, refunded__lte=models.F("paid_amount")),
                name="order_line_refunded_within_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.title}"

    @property
    def effective_delivered_at(self) -> datetime | None:
        return self.delivered_at or self.order.delivered_at


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=32)
    gateway = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=128, blank=True)
    amount = money_field()
    # What the live refund transactions drawn on this payment pay back (the refund ledger's running total).
    refunded = money_field(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded__gte=0, refunded__lte=models.F("amount")),
                name="payment_refunded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"
