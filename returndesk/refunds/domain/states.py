"""The refund ledger's vocabularies: what a refund is, and where an offer and a transaction stand.
Pure Python."""

from __future__ import annotations

from enum import StrEnum


class RefundKind(StrEnum):
    # A seller's (or the platform's, an agent's, the clock's) refund of the returned lines.
    REFUND = "refund"
    # The buyer keeps the item and is refunded without sending it back.
    KEEP = "keep"
    # An accepted partial-refund offer.
    OFFER = "offer"


class OfferState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class TransactionStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    HELD = "held"
    CANCELLED = "cancelled"


# Transactions whose amount counts against the caps: all but the cancelled. A failed one still
# holds its amount, since a retry (or a payment made another way) may yet pay it.
LIVE: frozenset[TransactionStatus] = frozenset(
    {TransactionStatus.PENDING, TransactionStatus.HELD, TransactionStatus.FAILED, TransactionStatus.SUCCEEDED}
)


class Awaiting(StrEnum):
    """What a pending transaction waits for; blank (``NOTHING``) when it waits for nothing."""

    NOTHING = ""
    GATEWAY = "gateway"
    CONFIRMATION = "confirmation"


# A refund's status: the first of these that one of its transactions has, else ``cancelled``.
REFUND_STATUS_ORDER: tuple[TransactionStatus, ...] = (
    TransactionStatus.HELD,
    TransactionStatus.FAILED,
    TransactionStatus.PENDING,
    TransactionStatus.SUCCEEDED,
)


def refund_status(statuses: list[TransactionStatus] | tuple[TransactionStatus, ...]) -> TransactionStatus:
    """The status a refund shows for its transactions' statuses."""
    return next((status for status in REFUND_STATUS_ORDER if status in statuses), TransactionStatus.CANCELLED)
