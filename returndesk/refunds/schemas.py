"""Request and response bodies of the refund ledger, and the members it adds to a return's answer
(``refunds``, ``refunded_total``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from returndesk.core import money
from returndesk.core.orm import rows_known
from returndesk.core.schemas import Amount, ExternalId, InSchema, PositiveStrictInt
from returndesk.core.sql import Rows
from returndesk.marketplace.models import Payment
from returndesk.refunds.domain.states import RefundKind, TransactionStatus, refund_status
from returndesk.refunds.models import Refund, RefundLine, RefundTransaction
from returndesk.refunds.selectors import refunds_prefetch
from returndesk.refunds.services import LineAmount
from returndesk.refunds.supervision import transaction_expected_arrival
from returndesk.returns.domain.lifecycle import Resolution
from returndesk.returns.extensions import AnswerRead, ReturnExtension
from returndesk.returns.models import Return
from returndesk.returns.schemas import ActorOut

NOTE = Field(default="", max_length=2000)


class RefundLineIn(InSchema):
    line: ExternalId = Field(description="The order line's external id")
    amount: Amount = Field(description="What to refund for the line, 0 to what is left of its paid share")

    def amount_of(self) -> LineAmount:
        return LineAmount(line=self.line, amount=self.amount)


class RefundIn(InSchema):
    """No ``lines``: the default (each line not rejected at inspection: its paid share less fees
    and what earlier refunds hold, plus the shipping share not yet refunded)."""

    lines: list[RefundLineIn] | None = Field(default=None, min_length=1, max_length=500)
    shipping_amount: Amount | None = Field(default=None, description="What to refund of the order's shipping")
    note: str = NOTE

    def amounts(self) -> list[LineAmount] | None:
        return None if self.lines is None else [line.amount_of() for line in self.lines]


class KeepIn(InSchema):
    note: str = NOTE


class PaymentRef(Schema):
    method: str
    gateway: str
    reference: str


class FailureOut(Schema):
    code: str
    message: str


class ExpectedArrivalOut(Schema):
    earliest: date
    latest: date
    provisional: bool = Field(description="Counted from when the refund was made: it has not succeeded yet")


class TransactionOut(Schema):
    id: int
    payment: PaymentRef
    gateway: str
    amount: str
    status: TransactionStatus
    awaiting: str | None = Field(description="gateway, confirmation, or null")
    attempts: int
    gateway_reference: str | None
    failure: FailureOut | None
    created_at: AwareDatetime
    succeeded_at: AwareDatetime | None
    expected_arrival: ExpectedArrivalOut | None = Field(
        description="The business days the money may reach the buyer between; null when none is on its way"
    )

    @staticmethod
    def resolve_expected_arrival(row: RefundTransaction) -> dict[str, object] | None:
        expected = transaction_expected_arrival(row, row.refund.return_request.buyer)
        return None if expected is None else expected._asdict()

    @staticmethod
    def resolve_amount(row: RefundTransaction) -> str:
        return money.format_amount(Decimal(row.amount), row.refund.currency)

    @staticmethod
    def resolve_awaiting(row: RefundTransaction) -> str | None:
        return row.awaiting or None

    @staticmethod
    def resolve_gateway_reference(row: RefundTransaction) -> str | None:
        return row.gateway_reference or None

    @staticmethod
    def resolve_failure(row: RefundTransaction) -> dict[str, str] | None:
        if not row.failure_code:
            return None
        return {"code": row.failure_code, "message": row.failure_message}


class RefundLineOut(Schema):
    line: str = Field(description="The order line's external id")
    quantity: int
    paid_share: str
    restocking_fee: str
    return_shipping_fee: str
    amount: str

    @staticmethod
    def resolve_line(line: RefundLine) -> str:
        return line.return_line.order_line.external_id

    @staticmethod
    def resolve_paid_share(line: RefundLine) -> str:
        return money.format_amount(Decimal(line.paid_share), line.refund.currency)

    @staticmethod
    def resolve_restocking_fee(line: RefundLine) -> str:
        return money.format_amount(Decimal(line.restocking_fee), line.refund.currency)

    @staticmethod
    def resolve_return_shipping_fee(line: RefundLine) -> str:
        return money.format_amount(Decimal(line.return_shipping_fee), line.refund.currency)

    @staticmethod
    def resolve_amount(line: RefundLine) -> str:
        return money.format_amount(Decimal(line.amount), line.refund.currency)


class RefundOut(Schema):
    # ``return`` is a Python keyword: the field is ``return_``, named ``return`` in the answer.
    model_config = ConfigDict(serialize_by_alias=True)

    id: int
    return_: str = Field(serialization_alias="return", description="The return's code")
    kind: RefundKind
    currency: str
    lines: list[RefundLineOut]
    shipping_amount: str
    total: str
    status: TransactionStatus = Field(
        description="The first of held, failed, pending, succeeded that a transaction has, else cancelled"
    )
    note: str
    created_at: AwareDatetime
    created_by: ActorOut
    transactions: list[TransactionOut]

    @staticmethod
    def resolve_return_(refund: Refund) -> str:
        return refund.return_request.code

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # OpenAPI is generated without aliases: name the member as the answer does.
        json_schema = handler(core_schema)
        members = handler.resolve_ref_schema(json_schema)
        members["properties"] = {
            ("return" if name == "return_" else name): value for name, value in members["properties"].items()
        }
        members["required"] = ["return" if name == "return_" else name for name in members.get("required", [])]
        return json_schema

    @staticmethod
    def resolve_shipping_amount(refund: Refund) -> str:
        return money.format_amount(Decimal(refund.shipping_amount), refund.currency)

    @staticmethod
    def resolve_total(refund: Refund) -> str:
        return money.format_amount(Decimal(refund.total), refund.currency)

    @staticmethod
    def resolve_status(refund: Refund) -> TransactionStatus:
        return refund_status([TransactionStatus(row.status) for row in refund.transactions.all()])

    @staticmethod
    def resolve_created_by(refund: Refund) -> dict[str, object]:
        return {"kind": refund.created_by_kind, "id": refund.created_by_id, "on_behalf_of": None}


class RefundListOut(Schema):
    items: list[RefundOut]


def _refunds_of(ret: Return) -> list[Refund]:
    return list(ret.refunds.all())


def _refunded_total(ret: Return) -> str:
    return money.format_amount(Decimal(ret.refunded), ret.order.currency)


def _never_refunded(ret: Return) -> bool:
    # Every refund sets the return's resolution: a return still without one has none.
    return ret.resolution == Resolution.NONE


# ``refunds_prefetch`` in plain SQL: the refunds oldest first, their lines and their transactions
# (with payments) by id, for the answer about one return (``returns.extensions.AnswerRead``).
_REFUNDS = Rows(
    models=((Refund, "f"),),
    source="FROM {} f WHERE f.return_request_id = %s",
    tables=(Refund,),
    order=("f.created_at", "f.id"),
)
_REFUND_LINES = Rows(
    models=((RefundLine, "rl"),),
    source="FROM {} rl JOIN {} f ON f.id = rl.refund_id WHERE f.return_request_id = %s",
    tables=(RefundLine, Refund),
    order=("rl.id",),
)
_TRANSACTIONS = Rows(
    models=((RefundTransaction, "t"), (Payment, "p")),
    source="FROM {} t JOIN {} p ON p.id = t.payment_id JOIN {} f ON f.id = t.refund_id WHERE f.return_request_id = %s",
    tables=(RefundTransaction, Payment, Refund),
    order=("t.id",),
)


def _refunds_seed(ret: Return, found: list[list[tuple[Any, ...]]]) -> None:
    """Hand ``ret`` its refunds as ``refunds_prefetch`` leaves them: each refund's lines (with the
    return's own lines, which hold their order lines) and transactions (with their payments)."""
    refunds, refund_lines, transactions = found
    return_lines = {line.pk: line for line in ret.lines.all()}
    lines_of: dict[int, list[RefundLine]] = {}
    for (line,) in refund_lines:
        line.return_line = return_lines[line.return_line_id]
        lines_of.setdefault(line.refund_id, []).append(line)
    transactions_of: dict[int, list[RefundTransaction]] = {}
    for row, payment in transactions:
        row.payment = payment
        transactions_of.setdefault(row.refund_id, []).append(row)
    for (refund,) in refunds:
        refund.return_request = ret
        for child in (*lines_of.get(refund.pk, ()), *transactions_of.get(refund.pk, ())):
            child.refund = refund
        rows_known(refund, lines=lines_of.get(refund.pk, []), transactions=transactions_of.get(refund.pk, []))
    rows_known(ret, refunds=[refund for (refund,) in refunds])


RETURN_EXTENSIONS = (
    ReturnExtension(
        name="refunds",
        schema=list[RefundOut],
        resolve=_refunds_of,
        prefetch=(refunds_prefetch(),),
        known_empty=_never_refunded,
        detail_only=True,
        # The refunds; their lines and transactions add two more once a return in the answer has one.
        queries=1,
        answer_read=AnswerRead(queries=(_REFUNDS, _REFUND_LINES, _TRANSACTIONS), seed=_refunds_seed),
    ),
    ReturnExtension(name="refunded_total", schema=str, resolve=_refunded_total),
)


# --- Confirm, retry, release, cancel (``refunds.transactions``) ----------------------------------

TRANSACTION = Field(default=None, description="One transaction of the refund; none: every one in the state needed")


class RefundConfirmIn(InSchema):
    transaction: PositiveStrictInt | None = TRANSACTION
    reference: str = Field(default="", max_length=255, description="The payout's own reference (a bank transfer's)")
    note: str = NOTE


class RefundRetryIn(InSchema):
    transaction: PositiveStrictInt | None = TRANSACTION


class RefundReleaseIn(InSchema):
    transaction: PositiveStrictInt | None = TRANSACTION
    note: str = NOTE


class RefundCancelIn(InSchema):
    transaction: PositiveStrictInt | None = TRANSACTION
    reason: str = Field(max_length=2000, description="Why: the seller and the buyer see it")
