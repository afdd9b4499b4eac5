"""Drop-off points, the receipts of handovers, and the carriers' tracking events.

A handover puts a return's parcel in a carrier's hands: at one of the carrier's registered points
(the counter, or ``POST /dropoffs``), for a self-shipped parcel on the buyer's behalf, or through
an ``accepted`` tracking event. Each writes a ``Receipt``; the return's answer shows the current one.
"""

from __future__ import annotations

from django.db import models


class DropoffPoint(models.Model):
    """A counter where a carrier accepts parcels. ``point_id`` is the carrier's own name for it,
    unique per carrier; ``address`` has the shape of a seller's return address."""

    carrier = models.CharField(max_length=50)
    point_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    address = models.JSONField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["carrier", "point_id"], name="dropoff_point_per_carrier"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier}/{self.point_id}"


class Receipt(models.Model):
    """A handover's receipt: proof that the parcel of a return was handed to a carrier.

    ``current`` marks the handover the return is in now: a parcel returned to its sender makes its
    receipt no longer current (a new handover then writes a new one). ``at`` is when it was
    recorded; ``accepted_at`` when the counter took the parcel (earlier for an offline counter or
    a tracking event).
    """

    # Unique by a constraint (Meta), without the LIKE-prefix index ``unique=True`` adds on PostgreSQL.
    receipt_id = models.CharField(max_length=32)
    # Indexed by ``receipt_return_current`` (Meta), which leads with it.
    return_request = models.ForeignKey(
        "returns.Return", on_delete=models.PROTECT, related_name="receipts", db_index=False
    )
    at = models.DateTimeField()
    accepted_at = models.DateTimeField()
    point = models.ForeignKey(DropoffPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="receipts")
    carrier = models.CharField(max_length=50)
    tracking_number = models.CharField(max_length=64, blank=True)
    weight_g = models.PositiveIntegerField(null=True, blank=True)
    offline = models.BooleanField(default=False)
    current = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["return_request", "current"], name="receipt_return_current")]
        constraints = [models.UniqueConstraint(fields=["receipt_id"], name="receipt_id_unique")]

    def __str__(self) -> str:
        return self.receipt_id


class TrackingEvent(models.Model):
    """A carrier's scan of a parcel, as it reported it. ``applied`` once it has acted on its
    return (or was judged and went on the timeline); an event matching no return waits, unapplied,
    for a handover to record its number."""

    carrier = models.CharField(max_length=50)
    event_id = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=64)
    status = models.CharField(max_length=24)
    occurred_at = models.DateTimeField()
    code = models.CharField(max_length=13, blank=True)
    return_request = models.ForeignKey(
        "returns.Return", on_delete=models.PROTECT, null=True, blank=True, related_name="tracking_events"
    )
    received_at = models.DateTimeField()
    applied = models.BooleanField(default=False)
    # What applying it did (``domain.tracking_events.Effect``): handover, delivery,
    # return_to_sender, or timeline (judged, nothing changed); blank while it waits. The latest
    # change's ``occurred_at`` keeps older scans from moving the return back.
    effect = models.CharField(max_length=24, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["carrier", "event_id"], name="tracking_event_once"),
        ]
        indexes = [models.Index(fields=["tracking_number", "applied"], name="tracking_event_number")]

    def __str__(self) -> str:
        return f"{self.carrier}:{self.event_id} {self.status}"
