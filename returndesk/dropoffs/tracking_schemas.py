from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from returndesk.core.schemas import InSchema, Timestamp
from returndesk.dropoffs.domain.tracking_events import TrackingStatus

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
