"""Why a refund is refused. Pure: the amounts' domain raises these too."""

from __future__ import annotations

from returndesk.core.errors import Conflict, NotFound, ReturndeskError, Unprocessable


class RefundNotFound(NotFound):
    code, title = "not_found", "No refund with this id is visible to this key"


class NothingToRefund(Conflict):
    code, title = "nothing_to_refund", "Everything this return could refund by default is refunded already"


class ExceedsRefundable(Conflict):
    """One ``errors`` item per amount over its cap: ``loc`` (the field's path in the body), ``line``
    (the order line's external id, null for shipping or the whole), ``msg`` and ``remaining`` (what
    the cap still allows, a decimal string)."""

    code, title = "exceeds_refundable", "An amount exceeds what is left to refund"


class LineNotAccepted(Conflict):
    code, title = "line_not_accepted", "The line was rejected at inspection; only an agent may refund it"


class ZeroAmount(Unprocessable):
    code, title = "zero_amount", "The amounts add up to nothing"


class AmountNotRepresentable(Unprocessable):
    code, title = "amount_not_representable", "The amount has more decimals than the currency allows"


class IdempotencyKeyRequired(ReturndeskError):
    status, code, title = 428, "idempotency_key_required", "A refund needs an Idempotency-Key header"


# --- Refund transactions once made (``refunds.transactions``) -----------------------------------


class TransactionNotFound(NotFound):
    code, title = "not_found", "The refund has no such transaction"


class RefundNotConfirmable(Conflict):
    code, title = "refund_not_confirmable", "No transaction of this refund can be confirmed"


class RefundNotRetryable(Conflict):
    code, title = "refund_not_retryable", "No transaction of this refund failed"


class RefundNotHeld(Conflict):
    code, title = "refund_not_held", "No transaction of this refund is held"


class RefundNotCancellable(Conflict):
    code, title = "refund_not_cancellable", "No transaction of this refund is held or failed"


# --- Offers and exchanges (``refunds.offers``, ``refunds.exchanges``) ---------------------------


class OfferLimitReached(Conflict):
    code, title = "offer_limit_reached", "The seller has made as many offers on this return as allowed"


class ExchangeIncomplete(Unprocessable):
    code, title = "exchange_incomplete", "Every accepted line needs the variant the buyer gets instead"
