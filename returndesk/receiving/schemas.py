"""Request and response bodies of receiving: the extended receive, parcels, and the return's
``receiving`` member."""

from __future__ import annotations

from typing import Literal

from django.db.models import Prefetch
from ninja import Schema
from pydantic import AwareDatetime, Field

from returndesk.core.schemas import InSchema, StrictInt
from returndesk.core.sql import Rows
from returndesk.receiving.domain.parcels import ParcelStatus
from returndesk.receiving.domain.tally import GTIN_PATTERN, Reported, Scan, ScanKey
from returndesk.receiving.models import Parcel, Receiving
from returndesk.receiving.selectors import receiving_of
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.extensions import AnswerRead, ReturnExtension, own_rows_seed
from returndesk.returns.models import Return
from returndesk.returns.schemas import SellerRef

QUANTITY = Field(ge=1, le=100_000, description="Units scanned")


# Each scanned line names its item one way: exactly one of sku, gtin, item (a union of three
# closed shapes, so that OpenAPI says so too).
class SkuLineIn(InSchema):
    sku: str = Field(min_length=1, max_length=100, description="The item's SKU, in any case")
    quantity: StrictInt = QUANTITY

    def scan(self) -> Scan:
        return Scan(ScanKey.SKU, self.sku, self.quantity)


class GtinLineIn(InSchema):
    gtin: str = Field(pattern=GTIN_PATTERN.pattern, description="GTIN-8, -12, -13 or -14; compared as 14 digits")
    quantity: StrictInt = QUANTITY

    def scan(self) -> Scan:
        return Scan(ScanKey.GTIN, self.gtin, self.quantity)


class ItemLineIn(InSchema):
    item: str = Field(min_length=1, max_length=100, description="A raw scan: tried as a SKU, then as a GTIN")
    quantity: StrictInt = QUANTITY

    def scan(self) -> Scan:
        return Scan(ScanKey.ITEM, self.item, self.quantity)


class AnomalyIn(InSchema):
    code: Literal["short", "extra", "item_mismatch", "empty_box", "damaged_on_return"]
    # Plain text, not ExternalId: a line the return does not have is 422 line_not_in_return anyway.
    line: str | None = Field(
        default=None, min_length=1, max_length=100, description="The order line's external id; none: the parcel"
    )
    note: str = Field(default="", max_length=2000)

    def reported(self) -> Reported:
        return Reported(Anomaly(self.code), self.line, self.note)


class ReceiptIn(InSchema):
    """What a receipt records beside the return's code: the items scanned out of the box (none
    given: everything the return names arrived), the anomalies a person saw, and a note."""

    lines: list[SkuLineIn | GtinLineIn | ItemLineIn] | None = Field(
        default=None, max_length=500, description="The items scanned; left out: everything arrived"
    )
    anomalies: list[AnomalyIn] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=2000)

    def scans(self) -> list[Scan] | None:
        return None if self.lines is None else [line.scan() for line in self.lines]

    def reported(self) -> list[Reported]:
        return [anomaly.reported() for anomaly in self.anomalies]


class ReceiveIn(ReceiptIn):
    scan: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The code as scanned off the parcel (any case, hyphens, a trailing newline); "
        "must be the path's code, else 422 scan_mismatch",
    )


class MatchIn(ReceiptIn):
    code: str = Field(min_length=1, max_length=100, description="The return code the parcel belongs to")


class ParcelIn(InSchema):
    tracking_number: str | None = Field(
        default=None,
        pattern=r"^ *(?:[0-9A-Za-z] *){8,40}$",
        description="The carrier's number on the parcel (spaces ignored; S10 and UPS check digits are checked)",
    )
    sender_name: str = Field(default="", max_length=200)
    contents: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="What the parcel holds")
    note: str = Field(default="", max_length=2000)


class ParcelListQuery(InSchema):
    status: ParcelStatus | None = None
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


# --- Answers ----------------------------------------------------------------------------------


class ParcelOut(Schema):
    id: str
    status: ParcelStatus
    seller: SellerRef
    tracking_number: str | None
    sender_name: str
    contents: str
    note: str
    recorded_at: AwareDatetime
    matched_return: str | None = Field(description="The code of the return it was matched to")
    matched_at: AwareDatetime | None

    @staticmethod
    def resolve_id(parcel: Parcel) -> str:
        return parcel.public_id

    @staticmethod
    def resolve_tracking_number(parcel: Parcel) -> str | None:
        return parcel.tracking_number or None

    @staticmethod
    def resolve_matched_return(parcel: Parcel) -> str | None:
        return parcel.matched_return.code if parcel.matched_return is not None else None


class ParcelPageOut(Schema):
    items: list[ParcelOut]
    next_cursor: str | None


class ReceivingLineOut(Schema):
    line: str
    expected: int
    scanned: int
    result: Literal["ok", "short", "extra"]


class UnmatchedOut(Schema):
    sku: str | None
    gtin: str | None
    item: str | None
    quantity: int


class ReceivingOut(Schema):
    at: AwareDatetime
    lines: list[ReceivingLineOut]
    unmatched: list[UnmatchedOut]


def _never_received(ret: Return) -> bool:
    # Every receipt marks the parcel recorded (``parcel_record``): without one there is none.
    return not ret.parcel_recorded


# The prefetch below in plain SQL, for the answer about one return (``returns.extensions.AnswerRead``).
_RECEIVINGS = Rows(
    models=((Receiving, "v"),),
    source="FROM {} v WHERE v.return_request_id = %s",
    tables=(Receiving,),
    order=("v.at", "v.id"),
)


RECEIVING_EXTENSION = ReturnExtension(
    name="receiving",
    schema=ReceivingOut | None,
    resolve=receiving_of,
    prefetch=(Prefetch("receivings", queryset=Receiving.objects.order_by("at", "id")),),
    known_empty=_never_received,
    answer_read=AnswerRead(queries=(_RECEIVINGS,), seed=own_rows_seed("receivings")),
)
