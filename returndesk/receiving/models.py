"""Receiving: what a receipt at the seller recorded, and parcels that arrived without a known return.

Only the services in ``returndesk.receiving.services`` write these rows.
"""

from __future__ import annotations

from django.db import models

from returndesk.core.fields import choices
from returndesk.receiving.domain.parcels import PARCEL_ID_LENGTH, ParcelStatus


class Receiving(models.Model):
    """One receipt of a return's parcel at the seller: each line's expected and scanned units and
    result (``lines``: [{line, expected, scanned, result}]), and the scans no line names
    (``unmatched``: [{sku, gtin, item, quantity}]). Append-only; the return's answer shows the
    latest as its ``receiving``."""

    return_request = models.ForeignKey("returns.Return", on_delete=models.PROTECT, related_name="receivings")
    at = models.DateTimeField()
    lines = models.JSONField(default=list)
    unmatched = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["return_request", "at", "id"], name="receiving_of_return")]

    def __str__(self) -> str:
        return f"receipt of {self.return_request_id} at {self.at:%Y-%m-%d %H:%M}"


class Parcel(models.Model):
    """A parcel that reached a seller without a return anyone could name, recorded so that it can
    be matched to its return later (``parcel_match``, which receives the return)."""

    public_id = models.CharField(max_length=PARCEL_ID_LENGTH, unique=True)
    seller = models.ForeignKey("marketplace.Seller", on_delete=models.PROTECT, related_name="parcels")
    status = models.CharField(max_length=16, choices=choices(ParcelStatus), default=ParcelStatus.UNMATCHED.value)
    tracking_number = models.CharField(max_length=64, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    contents = models.TextField()
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    # Who recorded it: an actor kind and id, as events record them.
    recorded_by_kind = models.CharField(max_length=16)
    recorded_by_id = models.CharField(max_length=100, blank=True)
    matched_return = models.ForeignKey(
        "returns.Return", on_delete=models.PROTECT, null=True, blank=True, related_name="parcels"
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["seller", "status", "-recorded_at", "-id"], name="parcel_seller_newest"),
            models.Index(fields=["status", "-recorded_at", "-id"], name="parcel_status_newest"),
            models.Index(fields=["-recorded_at", "-id"], name="parcel_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ParcelStatus.UNMATCHED.value, matched_return__isnull=True)
                | models.Q(status=ParcelStatus.MATCHED.value, matched_return__isnull=False),
                name="parcel_matched_has_return",
            )
        ]

    def __str__(self) -> str:
        return self.public_id
