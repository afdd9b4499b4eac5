"""Words for people: what each machine value of the API is called on a page.

Pages never show an enum's value (``in_transit``) nor build words from it: they look it up here,
through the ``word`` template filter (``{{ status|word:"status" }}``). Every member of every enum
named in ``VOCABULARIES`` has its words (a test iterates them), all through ``gettext_lazy`` so
that a translation changes them in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from returndesk.core.actors import ActorKind, StaffRole
from returndesk.policies.domain.reasons import Reason
from returndesk.receiving.domain.parcels import ParcelStatus
from returndesk.receiving.domain.tally import LineResult
from returndesk.refunds.domain.states import OfferState, RefundKind, TransactionStatus
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Action, Condition, DueAction, LineOutcome, Resolution, Status
from returndesk.returns.domain.verification import RefusalReason, Result
from returndesk.returns.selectors import SearchBy
from returndesk.returns.services import ANOMALY_EVENT, CODE_RESENT_EVENT, REQUEST_EVENT, TRACKING_EVENT

Words = Mapping[str, Promise]


class Button(StrEnum):
    """Buttons that are not a lifecycle action; a return's own buttons are its ``Action`` words."""

    OPEN_RETURN = "open_return"
    CHECK = "check"
    SEARCH = "search"
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    COPY = "copy"
    RESEND_CODE = "resend_code"


STATUS: Words = {
    Status.REQUESTED: _("Requested"),
    Status.APPROVED: _("Approved"),
    Status.REJECTED: _("Rejected"),
    Status.CANCELLED: _("Cancelled"),
    Status.EXPIRED: _("Expired"),
    Status.IN_TRANSIT: _("In transit"),
    Status.RECEIVED: _("Received"),
    Status.INSPECTED: _("Inspected"),
    Status.REFUNDING: _("Being refunded"),
    Status.DISPUTED: _("Disputed"),
    Status.RESOLVED: _("Resolved"),
    Status.CLOSED: _("Closed"),
}

REASON: Words = {
    Reason.DEFECTIVE: _("Defective or does not work"),
    Reason.NOT_AS_DESCRIBED: _("Not as described"),
    Reason.WRONG_ITEM: _("Wrong item sent"),
    Reason.DAMAGED_IN_TRANSIT: _("Damaged in delivery"),
    Reason.MISSING_PARTS: _("Parts or accessories missing"),
    Reason.SIZE_FIT: _("Size or fit"),
    Reason.CHANGED_MIND: _("Changed my mind"),
    Reason.OTHER: _("Other"),
}

# As a button: the lifecycle's actions a person may take from a page.
ACTION: Words = {
    Action.APPROVE: _("Approve"),
    Action.REJECT: _("Reject"),
    Action.CANCEL: _("Cancel the return"),
    Action.KEEP: _("Keep the item"),
    Action.OFFER: _("Offer a settlement"),
    Action.ACCEPT_OFFER: _("Accept the offer"),
    Action.DECLINE_OFFER: _("Decline the offer"),
    Action.HANDOVER: _("Hand over"),
    Action.RETURN_TO_SENDER: _("Return to sender"),
    Action.RECEIVE: _("Receive"),
    Action.INSPECT: _("Inspect"),
    Action.REFUND: _("Refund"),
    Action.EXCHANGE: _("Exchange"),
    Action.SETTLE: _("Settle"),
    Action.ESCALATE: _("Ask customer service"),
    Action.DECIDE: _("Decide"),
    Action.EXPIRE: _("Expire"),
    Action.CLOSE: _("Close"),
    Action.REOPEN: _("Reopen"),
}

# What happened to a refund's money, on the return's timeline (the status does not change).
REFUND_EVENTS: Words = {
    "refund_succeeded": _("Refund paid out"),
    "refund_failed": _("Refund failed"),
    "refund_held": _("Refund held for review"),
    "refund_released": _("Held refund released"),
    "refund_confirmed": _("Refund payout confirmed"),
    "refund_cancelled": _("Refund cancelled"),
}

# Timeline events that are no lifecycle action: the opening one, and those changing no status.
NON_ACTION_EVENTS = (REQUEST_EVENT, CODE_RESENT_EVENT, TRACKING_EVENT, ANOMALY_EVENT, *REFUND_EVENTS)

# What a timeline says happened: the event's action, or one of ``NON_ACTION_EVENTS``.
EVENT: Words = {
    REQUEST_EVENT: _("Return opened"),
    ANOMALY_EVENT: _("Anomaly recorded"),
    CODE_RESENT_EVENT: _("Return code re-sent to the buyer"),
    TRACKING_EVENT: _("Scanned by the carrier"),
    Action.APPROVE: _("Approved"),
    Action.REJECT: _("Rejected"),
    Action.CANCEL: _("Cancelled"),
    Action.KEEP: _("Item kept, refund without return"),
    Action.OFFER: _("Settlement offered"),
    Action.ACCEPT_OFFER: _("Offer accepted"),
    Action.DECLINE_OFFER: _("Offer declined"),
    Action.HANDOVER: _("Handed over to the carrier"),
    Action.RETURN_TO_SENDER: _("Returned to sender"),
    Action.RECEIVE: _("Received"),
    Action.INSPECT: _("Inspected"),
    Action.REFUND: _("Refunded"),
    Action.EXCHANGE: _("Exchanged"),
    Action.SETTLE: _("Settled"),
    Action.ESCALATE: _("Taken to customer service"),
    Action.DECIDE: _("Decided by customer service"),
    Action.EXPIRE: _("Expired"),
    Action.CLOSE: _("Closed"),
    Action.REOPEN: _("Reopened"),
    **REFUND_EVENTS,
}

BUTTON: Words = {
    Button.OPEN_RETURN: _("Open the return"),
    Button.CHECK: _("Check"),
    Button.SEARCH: _("Search"),
    Button.SIGN_IN: _("Sign in"),
    Button.SIGN_OUT: _("Sign out"),
    Button.COPY: _("Copy"),
    Button.RESEND_CODE: _("Re-send code"),
}

LINE_OUTCOME: Words = {
    LineOutcome.PENDING: _("Not inspected yet"),
    LineOutcome.ACCEPTED: _("Accepted"),
    LineOutcome.REJECTED: _("Rejected"),
}

CONDITION: Words = {
    Condition.AS_NEW: _("As new"),
    Condition.OPENED: _("Opened"),
    Condition.USED: _("Used"),
    Condition.DAMAGED: _("Damaged"),
    Condition.MISSING_PARTS: _("Parts missing"),
    Condition.NOT_THE_ITEM: _("Not the item sold"),
}

RESOLUTION: Words = {
    Resolution.NONE: _("None yet"),
    Resolution.REFUND: _("Refund"),
    Resolution.PARTIAL_REFUND: _("Partial refund"),
    Resolution.KEEP_ITEM: _("Keep the item"),
    Resolution.EXCHANGE: _("Exchange"),
    Resolution.REPLACEMENT: _("Replacement"),
    Resolution.SELLER_UPHELD: _("Seller's decision upheld"),
}

# What happens when the return's next deadline passes, unless someone acts first.
DUE_ACTION: Words = {
    DueAction.APPROVE: _("approved automatically"),
    DueAction.EXPIRE: _("expires"),
    DueAction.ESCALATE: _("goes to customer service"),
    DueAction.RECEIVE: _("counted as received"),
    DueAction.INSPECT: _("counted as inspected"),
    DueAction.REFUND: _("refunded"),
    DueAction.DECLINE_OFFER: _("offer declined"),
    DueAction.CLOSE: _("closed"),
    DueAction.SUPERVISE: _("goes to a supervisor"),
}

ANOMALY: Words = {
    Anomaly.ITEM_MISMATCH: _("Not the item sold"),
    Anomaly.SHORT: _("Fewer items than expected"),
    Anomaly.EXTRA: _("More items than expected"),
    Anomaly.EMPTY_BOX: _("Empty box"),
    Anomaly.DAMAGED_ON_RETURN: _("Damaged on the way back"),
    Anomaly.LOST_IN_TRANSIT: _("Lost in transit"),
}

# The verifier's answer at a counter.
RESULT: Words = {
    Result.VALID: _("Valid"),
    Result.MALFORMED: _("Not a return code"),
    Result.TYPO: _("Probably mistyped"),
    Result.UNKNOWN: _("Unknown code"),
    Result.WRONG_ITEM: _("Code for another item"),
    Result.EXPIRED: _("Expired"),
    Result.CANCELLED: _("Return cancelled"),
    Result.USED: _("Already used"),
    Result.NOT_ACCEPTABLE: _("Not acceptable now"),
}

REFUSAL_REASON: Words = {
    RefusalReason.AWAITING_APPROVAL: _("The seller has not approved the return yet"),
    RefusalReason.REJECTED: _("The seller rejected the return"),
    RefusalReason.NO_PARCEL_EXPECTED: _("No parcel is expected for this return"),
    RefusalReason.DISPUTED: _("The return is with customer service"),
    RefusalReason.CLOSED: _("The return is closed"),
}

# Who acted, for staff: what kind of caller an event's actor was.
ACTOR_KIND: Words = {
    ActorKind.BUYER: _("buyer"),
    ActorKind.SELLER_KEY: _("seller (API key)"),
    ActorKind.SELLER_USER: _("seller staff"),
    ActorKind.PLATFORM: _("platform"),
    ActorKind.AGENT: _("customer service"),
    ActorKind.CARRIER: _("carrier"),
    ActorKind.SYSTEM: _("returndesk, automatically"),
}

# Who acted, for the buyer reading their own timeline: the buyer is "you", and the platform acts
# for the buyer too (it opens returns on their behalf).
ACTOR_FOR_BUYER: Words = {
    ActorKind.BUYER: _("you"),
    ActorKind.SELLER_KEY: _("the seller"),
    ActorKind.SELLER_USER: _("the seller"),
    ActorKind.PLATFORM: _("you, through the marketplace"),
    ActorKind.AGENT: _("customer service"),
    ActorKind.CARRIER: _("the carrier"),
    ActorKind.SYSTEM: _("returndesk, automatically"),
}

STAFF_ROLE: Words = {
    StaffRole.SELLER_MANAGER: _("seller manager"),
    StaffRole.SELLER_WAREHOUSE: _("seller warehouse"),
    StaffRole.AGENT: _("customer service agent"),
    StaffRole.SUPERVISOR: _("customer service supervisor"),
    StaffRole.COUNTER: _("drop-off counter"),
}


# What customer service's search box took the text for: "Returns found by <words>".
SEARCH_BY: Words = {
    SearchBy.EMAIL: _("the buyer's email"),
    SearchBy.CODE: _("return code"),
    SearchBy.ORDER_NUMBER: _("order number"),
    SearchBy.ORDER: _("order id"),
    SearchBy.TRACKING_NUMBER: _("tracking number"),
}

# A line of a receipt: its units scanned against those expected.
LINE_RESULT: Words = {
    LineResult.OK: _("As expected"),
    LineResult.SHORT: _("Fewer than expected"),
    LineResult.EXTRA: _("More than expected"),
}

PARCEL_STATUS: Words = {
    ParcelStatus.UNMATCHED: _("Not matched yet"),
    ParcelStatus.MATCHED: _("Matched to a return"),
}

REFUND_STATUS: Words = {
    TransactionStatus.PENDING: _("On its way"),
    TransactionStatus.SUCCEEDED: _("Paid out"),
    TransactionStatus.FAILED: _("Failed"),
    TransactionStatus.HELD: _("Held for review"),
    TransactionStatus.CANCELLED: _("Cancelled"),
}

REFUND_KIND: Words = {
    RefundKind.REFUND: _("Refund"),
    RefundKind.KEEP: _("Refund, item kept"),
    RefundKind.OFFER: _("Accepted offer"),
}

OFFER_STATE: Words = {
    OfferState.OPEN: _("open"),
    OfferState.ACCEPTED: _("accepted"),
    OfferState.DECLINED: _("declined"),
    OfferState.LAPSED: _("lapsed, not answered in time"),
    OfferState.WITHDRAWN: _("withdrawn"),
}


class RefundButton(StrEnum):
    """What staff do to a refund's transaction."""

    CONFIRM = "confirm"
    RETRY = "retry"
    RELEASE = "release"
    CANCEL = "cancel"


REFUND_BUTTON: Words = {
    RefundButton.CONFIRM: _("Confirm the payout"),
    RefundButton.RETRY: _("Retry"),
    RefundButton.RELEASE: _("Release"),
    RefundButton.CANCEL: _("Cancel the refund"),
}

# Payment methods as an order's import names them; another is shown as imported.
PAYMENT_METHOD: Mapping[str, Promise] = {
    "card": _("card"),
    "paypal": _("PayPal account"),
    "wallet": _("wallet"),
    "bank_transfer": _("bank account"),
}


def payment_method(method: str) -> str:
    found = PAYMENT_METHOD.get(method.strip().lower())
    return str(found) if found is not None else method


# Each vocabulary by the name templates give the ``word`` filter, with the enum it covers.
VOCABULARIES: dict[str, tuple[type[StrEnum], Words]] = {
    "status": (Status, STATUS),
    "reason": (Reason, REASON),
    "action": (Action, ACTION),
    "event": (Action, EVENT),
    "button": (Button, BUTTON),
    "line_outcome": (LineOutcome, LINE_OUTCOME),
    "condition": (Condition, CONDITION),
    "resolution": (Resolution, RESOLUTION),
    "due_action": (DueAction, DUE_ACTION),
    "anomaly": (Anomaly, ANOMALY),
    "result": (Result, RESULT),
    "refusal_reason": (RefusalReason, REFUSAL_REASON),
    "actor_kind": (ActorKind, ACTOR_KIND),
    "actor_for_buyer": (ActorKind, ACTOR_FOR_BUYER),
    "staff_role": (StaffRole, STAFF_ROLE),
    "search_by": (SearchBy, SEARCH_BY),
    "line_result": (LineResult, LINE_RESULT),
    "parcel_status": (ParcelStatus, PARCEL_STATUS),
    "refund_status": (TransactionStatus, REFUND_STATUS),
    "refund_kind": (RefundKind, REFUND_KIND),
    "offer_state": (OfferState, OFFER_STATE),
    "refund_button": (RefundButton, REFUND_BUTTON),
}


def word(value: object, vocabulary: str) -> str:
    """The words for ``value`` in ``vocabulary``; a value no words cover (a code a later version
    or another app stored) is shown as stored rather than hidden. An unknown vocabulary is a bug
    in the template and raises ``KeyError``."""
    _, words = VOCABULARIES[vocabulary]
    found = words.get(str(value))
    return str(found) if found is not None else str(value)
