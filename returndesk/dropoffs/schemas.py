"""Request and response bodies of the drop-off API: points, handovers and their receipts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, field_validator

from returndesk.core import clock
from returndesk.core.schemas import InSchema, StrictBool, StrictInt, Timestamp
from returndesk.dropoffs.domain.tracking_events import TrackingStatus
from returndesk.dropoffs.models import DropoffPoint, Receipt
from returndesk.marketplace.schemas import AddressIn

# A carrier's own name for a point: it travels in paths and counter settings as typed.
PointId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,100}$")]
CarrierName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,50}$")]
# How far ahead of the server's clock a client's time may be (clocks drift; the future does not come).
CLOCK_SKEW = timedelta(minutes=5)
WEIGHT_G_MAX = 10_000_000


def not_ahead(value: AwareDatetime) -> AwareDatetime:
    """A time the client saw: at most ``CLOCK_SKEW`` ahead of the server's clock."""
    if value > clock.now() + CLOCK_SKEW:
        raise ValueError("may not be more than 5 minutes in the future")
    return value


class PointIn(InSchema):
    point_id: PointId = Field(description="The carrier's id for the point: 1-100 of A-Z, a-z, 0-9, '.', '_', '-'")
    name: str = Field(min_length=1, max_length=200)
    address: AddressIn = Field(description="Where the point is, as a seller's return address")
    active: StrictBool = Field(default=True, description="An inactive point hands nothing over (422 unknown_point)")


class PointOut(Schema):
    point_id: str
    carrier: str
    name: str
    address: dict[str, Any]
    active: bool
    created_at: AwareDatetime
    updated_at: AwareDatetime


class PointListQuery(InSchema):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class PointPageOut(Schema):
    items: list[PointOut]
    next_cursor: str | None


class OfflineIn(InSchema):
    qr: str = Field(min_length=1, max_length=512, description="The label's QR payload the counter scanned offline")
    accepted_at: Timestamp = Field(description="When the counter took the parcel")

    _not_ahead = field_validator("accepted_at")(not_ahead)


class DropoffIn(InSchema):
    """A carrier hands over at one of its points: ``{code, point_id, weight_g?, tracking_number?,
    offline?}``; the platform records a self-shipped parcel for the buyer: ``{code,
    tracking_number, carrier, weight_g?}``."""

    code: str = Field(min_length=1, max_length=64, description="The return code, as typed or scanned")
    point_id: PointId | None = Field(default=None, description="Carrier keys: the point (required)")
    carrier: CarrierName | None = Field(default=None, description="Platform key: the carrier that took the parcel")
    tracking_number: str | None = Field(default=None, min_length=1, max_length=64)
    weight_g: StrictInt | None = Field(default=None, ge=1, le=WEIGHT_G_MAX, description="The parcel's weight in grams")
    offline: OfflineIn | None = Field(default=None, description="Carrier keys: a handover a counter accepted offline")


# A plain pydantic model filled from ``receipt_data``'s dict, like the verifier's answer: ninja's
# Schema wraps every validation in attribute lookups meant for ORM objects, and a handover is a
# counter's hot path.
class ReceiptOut(BaseModel):
    receipt_id: str
    code: str
    at: AwareDatetime = Field(description="When the handover was recorded")
    accepted_at: AwareDatetime = Field(description="When the carrier took the parcel")
    point_id: str | None
    carrier: str
    tracking_number: str | None
    weight_g: int | None
    offline: bool


def receipt_data(receipt: Receipt) -> dict[str, Any]:
    """A receipt as the API shows it; reads its return and point (joined or known), no query."""
    point: DropoffPoint | None = receipt.point
    return {
        "receipt_id": receipt.receipt_id,
        "code": receipt.return_request.code,
        "at": receipt.at,
        "accepted_at": receipt.accepted_at,
        "point_id": point.point_id if point is not None else None,
        "carrier": receipt.carrier,
        "tracking_number": receipt.tracking_number or None,
        "weight_g": receipt.weight_g,
        "offline": receipt.offline,
    }


# A carrier's own id for one scan: any printable text, up to 100 characters.
EventId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


class TrackingEventIn(InSchema):
    event_id: EventId = Field(description="The carrier's id for this scan; a repeat is answered duplicate: true")
    tracking_number: str = Field(
        min_length=1,
        max_length=100,
        description="S10 (RR123456785GB) and UPS (1Z...) numbers with their check digit, else 8-40 of A-Z, 0-9;"
        " case and spaces are ignored",
    )
    status: TrackingStatus
    occurred_at: Timestamp = Field(description="When the carrier scanned the parcel; at most 5 minutes ahead")
    code: str | None = Field(default=None, max_length=100, description="The return code, when the label showed it")
    carrier: str | None = Field(default=None, max_length=50, description="The key's own carrier, when given")


# A plain model: the answer is built from the service's dataclass, never an ORM object.
class TrackingEventOut(BaseModel):
    event_id: str
    matched: bool = Field(description="Whether the event found its return; an unmatched one waits for a handover")
    duplicate: bool = Field(description="Whether this event id came before; a repeat changes nothing")
