"""Request and response bodies of the returns API."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from ninja import Schema
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from returndesk.core import money
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.schemas import ExternalId, InSchema, StrictInt, Timestamp
from returndesk.policies.domain.advice import Advice, Suggestion
from returndesk.policies.domain.eligibility import Refusal
from returndesk.policies.domain.policy import Payer
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain import codes
from returndesk.returns.domain.anomalies import CODE_PATTERN as ANOMALY_CODE_PATTERN
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Status
from returndesk.returns.domain.opening import Opening
from returndesk.returns.domain.requests import LineInspection, PreferredResolution, RequestedLine
from returndesk.returns.domain.verification import RefusalReason, Result
from returndesk.returns.extensions import return_extensions
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent, ReturnLine
from returndesk.returns.selectors import OrderReturnable, ReturnableLine, Verification


class ReturnLineIn(InSchema):
    line: ExternalId = Field(description="The order line's external id")
    quantity: StrictInt = Field(ge=1, le=100_000)
    reason: Reason
    note: str = Field(default="", max_length=2000)
    exchange_variant_id: ExternalId | None = Field(
        default=None, description="The variant wanted instead (preferred_resolution exchange only)"
    )


class ReturnIn(InSchema):
    order: ExternalId = Field(description="The order's external id")
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    preferred_resolution: PreferredResolution = Field(
        default=PreferredResolution.REFUND,
        description="What the buyer would like; exchange and replacement only where the policy allows exchanges",
    )

    @model_validator(mode="after")
    def _variants_for_an_exchange(self) -> ReturnIn:
        # A variant names what the buyer gets instead: it means nothing for any other resolution.
        if self.preferred_resolution is not PreferredResolution.EXCHANGE and any(
            line.exchange_variant_id is not None for line in self.lines
        ):
            raise ValueError("exchange_variant_id is given only with preferred_resolution exchange")
        return self

    def requested_lines(self) -> list[RequestedLine]:
        return [
            RequestedLine(
                line=line.line,
                quantity=line.quantity,
                reason=line.reason,
                note=line.note,
                exchange_variant_id=line.exchange_variant_id or "",
            )
            for line in self.lines
        ]


# --- The preview of an opening ------------------------------------------------------------------


class PreviewRefusalOut(BaseModel):
    line: str
    code: str
    message: str


class AdviceLineOut(BaseModel):
    line: str
    quantity: int
    paid_share: str
    restocking_fee: str
    return_shipping_fee: str
    refund: str


class ReturnShippingOut(BaseModel):
    paid_by: Payer
    free: bool
    fee: str = Field(description="What is deducted from the refund for return shipping")


class AdviceOut(BaseModel):
    currency: str
    lines: list[AdviceLineOut]
    shipping_refund: str = Field(description="The part of the order's shipping refunded")
    return_shipping: ReturnShippingOut
    refund_total: str
    eu_withdrawal: bool
    suggestion: Suggestion
    message: str


class PreviewOut(BaseModel):
    returnable: bool
    refusals: list[PreviewRefusalOut] = Field(description="Every refusal: lines in body order, then the table's")
    auto_approve: bool = Field(description="Whether the system would approve the return as it opens")
    advice: AdviceOut


def advice_data(advice: Advice) -> dict[str, object]:
    """The advice as the API shows it: minor units as the currency's decimal strings."""

    def amount(units: int) -> str:
        return money.format_amount(money.from_minor(units, advice.currency), advice.currency)

    return {
        "currency": advice.currency,
        "lines": [
            {
                "line": line.line,
                "quantity": line.quantity,
                "paid_share": amount(line.paid_share),
                "restocking_fee": amount(line.restocking_fee),
                "return_shipping_fee": amount(line.return_shipping_fee),
                "refund": amount(line.refund),
            }
            for line in advice.lines
        ],
        "shipping_refund": amount(advice.shipping_refund),
        "return_shipping": {
            "paid_by": advice.return_shipping_paid_by,
            "free": advice.free,
            "fee": amount(advice.return_shipping_fee),
        },
        "refund_total": amount(advice.refund_total),
        "eu_withdrawal": advice.eu_withdrawal,
        "suggestion": advice.suggestion,
        "message": advice.message,
    }


def preview_data(verdict: Opening) -> dict[str, object]:
    return {
        "returnable": verdict.returnable,
        "refusals": [
            {"line": numbered.line, "code": numbered.refusal.code, "message": numbered.refusal.message}
            for numbered in verdict.refusals
        ],
        "auto_approve": verdict.auto_approve,
        "advice": advice_data(verdict.advice),
    }


class RejectIn(InSchema):
    reason: str = Field(min_length=1, max_length=2000)


class CancelIn(InSchema):
    reason: str = Field(default="", max_length=2000)


class InspectLineIn(InSchema):
    line: ExternalId
    # Plain values, not enum members: a refusal then lists 'accepted' or 'rejected', not reprs.
    outcome: Literal["accepted", "rejected"]
    condition: Condition


class InspectIn(InSchema):
    lines: list[InspectLineIn] = Field(min_length=1, max_length=100)

    def inspections(self) -> list[LineInspection]:
        return [
            LineInspection(line=line.line, outcome=LineOutcome(line.outcome), condition=line.condition)
            for line in self.lines
        ]


class EmptyIn(InSchema):
    pass


# Output schemas read the ORM objects the selectors return, prefetched: one declaration per
# resource, where a member's source is its attribute or the ``resolve_<member>`` beside it.


# --- Query parameters -----------------------------------------------------------------------


# ``GET /returns?refund_status=``: the values the refund ledger gives a meaning (``refunds.supervision``
# registers the filter, ``extensions.ReturnListFilter``).
RefundStatusFilter = Literal["held", "failed", "awaiting_confirmation", "overdue", "none_live"]


Trimmed = Annotated[str, StringConstraints(strip_whitespace=True)]


class ReturnListQuery(InSchema):
    status: Status | None = None
    seller: str | None = Field(default=None, description="Seller external id")
    buyer: str | None = Field(default=None, description="Buyer external id")
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None
    # What people type or paste: spaces around it are not part of it.
    order: Trimmed | None = Field(default=None, max_length=100, description="The order's external id")
    order_number: Trimmed | None = Field(default=None, max_length=100, description="The order's number")
    email: Trimmed | None = Field(
        default=None,
        min_length=1,
        max_length=254,
        description="The buyer's email address, in any case (platform and agent keys only, else 403 forbidden)",
    )
    buyer_name: Trimmed | None = Field(
        default=None, min_length=1, max_length=200, description="Part of the buyer's name, in any case"
    )
    anomaly: str | None = Field(
        default=None,
        pattern=ANOMALY_CODE_PATTERN.pattern,
        description="An anomaly code (item_mismatch, short, ...): returns with such an anomaly",
    )
    tracking_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = (
        Field(default=None, description="The parcel's tracking number, in any case, spaces ignored")
    )
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = Field(
        default=None, description="A return code, a tracking number or an order number, typed however"
    )
    refund_status: RefundStatusFilter | None = Field(
        default=None,
        description=(
            "The refund ledger's queue: returns with a transaction held, failed or awaiting_confirmation (a manual "
            "refund not yet confirmed), refunding returns overdue (past their supervise deadline), or none_live "
            "(refunding, every refund cancelled)"
        ),
    )
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class CodeQuery(InSchema):
    order: str | None = Field(default=None, description="External id of the order in hand")
    sku: str | None = Field(default=None, description="SKU of the item in hand")
    point_id: str | None = Field(default=None, max_length=100, description="The drop-off point asking")


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

    @staticmethod
    def resolve_actor(event: ReturnEvent) -> dict[str, object]:
        return {"kind": event.actor_kind, "id": event.actor_id, "on_behalf_of": event.on_behalf_of or None}

    @staticmethod
    def resolve_from_status(event: ReturnEvent) -> str | None:
        return event.from_status or None


class DeadlineOut(Schema):
    at: AwareDatetime
    action: str


class AnomalyOut(Schema):
    # Shown as stored, known code or not; ``source`` stays inside.
    code: str
    line: str | None = Field(description="The order line's external id; null for the whole parcel")
    note: str
    at: AwareDatetime
    data: dict[str, object] = Field(description="What lies behind it: the SKU, GTIN, quantities or weights")

    @staticmethod
    def resolve_line(anomaly: ReturnAnomaly) -> str | None:
        return anomaly.line.order_line.external_id if anomaly.line is not None else None


class ReturnLineOut(Schema):
    line: str
    sku: str
    gtin: str | None = Field(description="The order line's GTIN; null when it has none")
    title: str
    quantity: int
    reason: Reason
    note: str
    outcome: LineOutcome
    condition: Condition | None
    paid_share: str = Field(description="The part of the order line's paid amount these units carry")
    exchange_variant_id: str | None = Field(description="The variant wanted instead; null when none is named")
    refunded: str = Field(description="What the return's live refunds pay back for these units")

    @staticmethod
    def resolve_line(line: ReturnLine) -> str:
        return line.order_line.external_id

    @staticmethod
    def resolve_refunded(line: ReturnLine) -> str:
        return money.format_amount(Decimal(line.refunded), line.return_request.order.currency)

    @staticmethod
    def resolve_paid_share(line: ReturnLine) -> str:
        return money.format_amount(Decimal(line.paid_share), line.return_request.order.currency)

    @staticmethod
    def resolve_exchange_variant_id(line: ReturnLine) -> str | None:
        return line.exchange_variant_id or None

    @staticmethod
    def resolve_sku(line: ReturnLine) -> str:
        return line.order_line.sku

    @staticmethod
    def resolve_gtin(line: ReturnLine) -> str | None:
        return line.order_line.gtin or None

    @staticmethod
    def resolve_title(line: ReturnLine) -> str:
        return line.order_line.title

    @staticmethod
    def resolve_condition(line: ReturnLine) -> str | None:
        return line.condition or None


class SellerRef(Schema):
    external_id: str
    name: str


# A return as every answer shows it, from a ``Return`` the selectors read, followed by the members
# higher apps register (``returns.extensions``).
class ReturnOut(Schema):
    # Registered members ride in pydantic's extra members: the class is declared once, at import,
    # while apps register in their ready(). Input never reaches it: it only renders answers.
    model_config = ConfigDict(extra="allow")

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
    anomalies: list[AnomalyOut]
    ship_by: AwareDatetime | None
    tracking_number: str | None = Field(
        description="The carrier's tracking number, normalised; null until one is known"
    )
    delivered_to_seller_at: AwareDatetime | None = Field(
        description="When the carrier reported the parcel delivered to the seller; the receive clock starts then"
    )
    due_at: AwareDatetime | None
    due_action: str | None
    next_deadline: DeadlineOut | None
    policy_version: int
    preferred_resolution: PreferredResolution
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @staticmethod
    def resolve_order(ret: Return) -> str:
        return ret.order.external_id

    @staticmethod
    def resolve_order_number(ret: Return) -> str:
        return ret.order.number

    @staticmethod
    def resolve_currency(ret: Return) -> str:
        return ret.order.currency

    @staticmethod
    def resolve_buyer(ret: Return) -> str:
        return ret.buyer.external_id

    @staticmethod
    def resolve_tracking_number(ret: Return) -> str | None:
        return ret.tracking_number or None

    @staticmethod
    def resolve_policy_version(ret: Return) -> int:
        return ret.policy_id

    @staticmethod
    def resolve_due_action(ret: Return) -> str | None:
        return ret.due_action or None

    @staticmethod
    def resolve_next_deadline(ret: Return) -> dict[str, object] | None:
        return {"at": ret.due_at, "action": ret.due_action} if ret.due_at else None

    @model_validator(mode="wrap")
    @classmethod
    def _extend(cls, value: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        answer = handler(value)
        if isinstance(value, Return) and answer.__pydantic_extra__ is not None:
            for extension in return_extensions(detail=issubclass(cls, ReturnDetailOut)):
                answer.__pydantic_extra__[extension.name] = extension.adapter.validate_python(extension.resolve(value))
        return answer

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        members = handler.resolve_ref_schema(json_schema)
        # Only registered members come on top of the declared ones.
        members.pop("additionalProperties", None)
        for extension in return_extensions(detail=issubclass(cls, ReturnDetailOut)):
            members["properties"][extension.name] = handler(extension.adapter.core_schema)
            members["required"].append(extension.name)
        return json_schema


class ReturnDetailOut(ReturnOut):
    timeline: list[EventOut]

    @staticmethod
    def resolve_timeline(ret: Return) -> list[ReturnEvent]:
        return list(ret.events.all())


class ReturnPageOut(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


# The one exception to "Out schemas read ORM objects": the verifier's answers are plain pydantic
# models filled from a dict that verification_data builds. The verifier is the hot path of every
# drop-off counter, and ninja's Schema wraps every validation in attribute lookups meant for ORM
# objects: a tenth of the verifier's time.
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


class PortalLinkIn(InSchema):
    return_: str | None = Field(
        default=None, alias="return", max_length=100, description="A return code of this buyer's to land on"
    )
    expires_in: StrictInt = Field(default=86400, ge=60, le=604800, description="Seconds the link works (once)")


class PortalLinkOut(Schema):
    url: str = Field(description="The sign-in link, shown in this answer only: hand it to the buyer")
    expires_at: AwareDatetime


# --- Lost codes --------------------------------------------------------------------------------

# Text as typed, surrounding spaces dropped: an order's external id or number, an address.
_Typed = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CodeReminderIn(InSchema):
    order: Annotated[_Typed, StringConstraints(max_length=100)] = Field(
        description="One of the buyer's orders: its external id or its number"
    )
    email: Annotated[_Typed, StringConstraints(max_length=254)] = Field(
        description="The buyer's email address, in any case"
    )


class AcceptedOut(Schema):
    status: Literal["accepted"]


# The one answer of both code-reminder routes, whatever was found.
ACCEPTED = {"status": "accepted"}


class RefusalOut(Schema):
    code: Refusal
    message: str = Field(description="The refusal's sentence, for the buyer")


class ReturnableLineOut(Schema):
    line: str
    sku: str
    title: str
    quantity: int
    returnable_quantity: int = Field(description="Units that may be returned now (0 until delivered and once closed)")
    window_ends_at: AwareDatetime | None = Field(
        description="The first instant the line is no longer returnable: the buyer's local midnight after the "
        "window's last day, a business day of the buyer's country (null until delivered)"
    )
    returnable: bool = Field(description="Some reason allowed, units left, delivered, window open")
    reasons_allowed: list[Reason]
    refusals: list[RefusalOut] = Field(
        description="Every refusal that applies, in the order not_delivered, window_closed, final_sale, "
        "non_returnable_category, non_returnable_sku, already_returned; final sale and non-returnable ones "
        "refuse the buyer's choice only"
    )


class ReturnableOut(Schema):
    order: str
    currency: str
    policy_version: int = Field(description="The policy version in force, which a return opened now would keep")
    eu_buyer: bool
    lines: list[ReturnableLineOut]


def _returnable_line(item: ReturnableLine) -> dict[str, object]:
    answer = item.eligibility
    return {
        "line": item.line.external_id,
        "sku": item.line.sku,
        "title": item.line.title,
        "quantity": item.line.quantity,
        "returnable_quantity": answer.returnable_quantity,
        # Every timestamp of the API is UTC; the end is the buyer's local midnight all the same.
        "window_ends_at": answer.window_ends_at and answer.window_ends_at.astimezone(UTC),
        "returnable": answer.returnable,
        "reasons_allowed": answer.reasons_allowed,
        "refusals": [{"code": refusal.code, "message": refusal.message} for refusal in answer.refusals],
    }


def returnable_data(answer: OrderReturnable) -> dict[str, object]:
    return {
        "order": answer.order.external_id,
        "currency": answer.order.currency,
        "policy_version": answer.policy_version,
        "eu_buyer": answer.eu_buyer,
        "lines": [_returnable_line(item) for item in answer.lines],
    }
