"""Request and response bodies of the returns API."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, Field

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.schemas import ExternalId, InSchema, StrictInt
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Reason, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.domain.verification import RefusalReason, Result
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.selectors import Verification


class ReturnLineIn(InSchema):
    line: ExternalId = Field(description="The order line's external id")
    quantity: StrictInt = Field(ge=1, le=100_000)
    reason: Reason
    note: str = Field(default="", max_length=2000)


class ReturnIn(InSchema):
    order: ExternalId = Field(description="The order's external id")
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)

    def requested_lines(self) -> list[RequestedLine]:
        return [
            RequestedLine(line=line.line, quantity=line.quantity, reason=line.reason, note=line.note)
            for line in self.lines
        ]


class RejectIn(InSchema):
    reason: str = Field(min_length=1, max_length=2000)


class CancelIn(InSchema):
    reason: str = Field(default="", max_length=2000)


class ReceiveIn(InSchema):
    note: str = Field(default="", max_length=2000)


class InspectLineIn(InSchema):
    line: ExternalId
    outcome: Literal[LineOutcome.ACCEPTED, LineOutcome.REJECTED]
    condition: Condition


class InspectIn(InSchema):
    lines: list[InspectLineIn] = Field(min_length=1, max_length=100)

    def inspections(self) -> list[LineInspection]:
        return [LineInspection(line=line.line, outcome=line.outcome, condition=line.condition) for line in self.lines]


class EmptyIn(InSchema):
    pass


class ActorOut(Schema):
    kind: str
    id: str
    on_behalf_of: str | None


class EventOut(Schema):
    id: int
    at: AwareDatetime
    actor: ActorOut
    action: str
    from_status: Status | None
    to_status: Status
    reason: str
    data: dict[str, object]


class DeadlineOut(Schema):
    at: AwareDatetime
    action: str


class AnomalyOut(Schema):
    code: str
    line: str | None
    note: str
    at: AwareDatetime


class ReturnLineOut(Schema):
    line: str
    sku: str
    title: str
    quantity: int
    reason: Reason
    note: str
    outcome: LineOutcome
    condition: Condition | None


class SellerRef(Schema):
    external_id: str
    name: str


class ReturnOut(Schema):
    code: str
    code_display: str
    status: Status
    resolution: str
    order: str
    order_number: str
    currency: str
    seller: SellerRef
    buyer: str = Field(description="The buyer's external id")
    lines: list[ReturnLineOut]
    offer: dict[str, object] | None
    anomalies: list[AnomalyOut]
    ship_by: AwareDatetime | None
    due_at: AwareDatetime | None
    due_action: str | None
    next_deadline: DeadlineOut | None
    policy_version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ReturnDetailOut(ReturnOut):
    timeline: list[EventOut]


class ReturnPageOut(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


# The verifier's answers are plain pydantic models: ninja's Schema wraps every validation in
# attribute lookups meant for ORM objects, a tenth of the verifier's time for a dict built here.
class CodeSellerOut(BaseModel):
    name: str
    city: str


class CodeReturnOut(BaseModel):
    ship_by: AwareDatetime | None
    seller: CodeSellerOut
    items: int = Field(description="Units expected in the parcel")
    weight_g: int | None = Field(description="Expected weight of the items, when every line has one")
    order: str | None = Field(description="The order's external id; not shown to carriers")


class VerificationOut(BaseModel):
    result: Result
    message: str
    reason: RefusalReason | None = None
    code: str | None = None
    code_display: str | None = None
    status: Status | None = None
    suggestions: list[str] | None = None
    suggestions_display: list[str] | None = None
    details: CodeReturnOut | None = None


def _event_data(event: ReturnEvent) -> dict[str, object]:
    return {
        "id": event.pk,
        "at": event.at,
        "actor": {"kind": event.actor_kind, "id": event.actor_id, "on_behalf_of": event.on_behalf_of or None},
        "action": event.action,
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data,
    }


def return_data(ret: Return, *, timeline: bool = False) -> dict[str, object]:
    """The API's view of a return; lines (and events) must be prefetched."""
    data: dict[str, object] = {
        "code": ret.code,
        "code_display": ret.code_display,
        "status": ret.status,
        "resolution": ret.resolution,
        "order": ret.order.external_id,
        "order_number": ret.order.number,
        "currency": ret.order.currency,
        "seller": {"external_id": ret.seller.external_id, "name": ret.seller.name},
        "buyer": ret.buyer.external_id,
        "lines": [
            {
                "line": line.order_line.external_id,
                "sku": line.order_line.sku,
                "title": line.order_line.title,
                "quantity": line.quantity,
                "reason": line.reason,
                "note": line.note,
                "outcome": line.outcome,
                "condition": line.condition or None,
            }
            for line in ret.lines.all()
        ],
        "offer": ret.offer,
        "anomalies": ret.anomalies,
        "ship_by": ret.ship_by,
        "due_at": ret.due_at,
        "due_action": ret.due_action or None,
        "next_deadline": {"at": ret.due_at, "action": ret.due_action} if ret.due_at else None,
        "policy_version": ret.policy_version,
        "created_at": ret.created_at,
        "updated_at": ret.updated_at,
    }
    if timeline:
        data["timeline"] = [_event_data(event) for event in ret.events.all()]
    return data


def verification_data(verification: Verification, *, actor: Actor) -> dict[str, object]:
    verdict, facts = verification.verdict, verification.facts
    data: dict[str, object] = {"result": verdict.result, "message": verdict.message, "reason": verdict.reason}
    if verdict.result is Result.TYPO:
        data["suggestions"] = verification.suggestions
        data["suggestions_display"] = [codes.display(code) for code in verification.suggestions]
    if facts is not None:
        data |= {
            "code": facts.code,
            "code_display": facts.code_display,
            "status": facts.status,
            "details": {
                "ship_by": facts.ship_by,
                "seller": {"name": facts.seller_name, "city": facts.seller_city},
                "items": facts.items,
                "weight_g": facts.weight_g,
                # Carriers learn what a counter needs, never the buyer or the order.
                "order": None if actor.kind is ActorKind.CARRIER else facts.order,
            },
        }
    return data
