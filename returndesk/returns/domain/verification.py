"""What a drop-off counter, carrier or warehouse learns when it types or scans a return code.

Pure Python. The order of checks is the contract: malformed, typo, unknown, wrong item, then
the return's status. Only the answers in ``FAILURES`` count as failed look-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from returndesk.returns.domain.lifecycle import Status


class Result(StrEnum):
    VALID = "valid"
    MALFORMED = "malformed"
    TYPO = "typo"
    UNKNOWN = "unknown"
    WRONG_ITEM = "wrong_item"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    USED = "used"
    NOT_ACCEPTABLE = "not_acceptable"


# The answers that count against the verifier's failure limit: the ones a guesser gets. A real
# code answers truthfully whatever its status (expired, cancelled, used, not acceptable yet):
# a counter asking about the parcels people bring is not guessing.
FAILURES: frozenset[Result] = frozenset({Result.MALFORMED, Result.TYPO, Result.UNKNOWN, Result.WRONG_ITEM})


class RefusalReason(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    REJECTED = "rejected"
    NO_PARCEL_EXPECTED = "no_parcel_expected"
    DISPUTED = "disputed"
    CLOSED = "closed"


@dataclass(frozen=True)
class Verdict:
    result: Result
    reason: RefusalReason | None
    message: str


_PARCEL_STATUSES = frozenset(
    {
        Status.IN_TRANSIT,
        Status.RECEIVED,
        Status.INSPECTED,
        Status.REFUNDING,
        Status.RESOLVED,
        Status.DISPUTED,
        Status.CLOSED,
    }
)

MESSAGES = {
    Result.MALFORMED: "This is not a return code: a code has 13 letters and digits, like K7Q2-XM4D-9T30-6.",
    Result.TYPO: "This code was mistyped: a letter or digit is wrong or two are swapped.",
    Result.UNKNOWN: "No return has this code.",
    Result.WRONG_ITEM: "This code belongs to another item or order.",
    Result.EXPIRED: "The time to ship this return has passed; the code is no longer accepted.",
    Result.CANCELLED: "This return was cancelled; the code is no longer accepted.",
    Result.USED: "This code has already been used for a parcel.",
    Result.VALID: "The parcel may be accepted.",
}
REFUSALS = {
    RefusalReason.AWAITING_APPROVAL: "The seller has not approved this return yet.",
    RefusalReason.REJECTED: "The seller rejected this return.",
    RefusalReason.NO_PARCEL_EXPECTED: "No parcel is expected: this return is refunded without one.",
    RefusalReason.DISPUTED: "This return is with customer service; no parcel is expected now.",
    RefusalReason.CLOSED: "This return is closed.",
}


def verdict_for(result: Result) -> Verdict:
    return Verdict(result, None, MESSAGES[result])


def _refusal(reason: RefusalReason) -> Verdict:
    return Verdict(Result.NOT_ACCEPTABLE, reason, REFUSALS[reason])


def verdict_by_status(status: Status, *, parcel_recorded: bool, ship_by: datetime | None, now: datetime) -> Verdict:
    """The answer for a code that exists, is the caller's to see, and matches the item in hand."""
    if parcel_recorded and status in _PARCEL_STATUSES:
        return verdict_for(Result.USED)
    match status:
        case Status.REQUESTED:
            return _refusal(RefusalReason.AWAITING_APPROVAL)
        case Status.APPROVED:
            # Compared with ship_by at once, not when the sweep gets round to expiring it.
            in_time = ship_by is not None and now <= ship_by
            return verdict_for(Result.VALID if in_time else Result.EXPIRED)
        case Status.EXPIRED:
            return verdict_for(Result.EXPIRED)
        case Status.REJECTED:
            return _refusal(RefusalReason.REJECTED)
        case Status.CANCELLED:
            return verdict_for(Result.CANCELLED)
        case Status.REFUNDING | Status.RESOLVED:
            return _refusal(RefusalReason.NO_PARCEL_EXPECTED)
        case Status.DISPUTED:
            return _refusal(RefusalReason.DISPUTED)
        case Status.CLOSED:
            return _refusal(RefusalReason.CLOSED)
        case _:
            # in_transit, received and inspected always have a parcel recorded.
            return verdict_for(Result.USED)
