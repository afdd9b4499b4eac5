"""The return lifecycle: statuses, the action table, guards and deadlines. Pure Python.

This module is the contract of what may happen to a return. Services ask ``plan`` whether an
action is allowed and what status follows, then ``next_deadline`` what the system will do next
and when. Nothing here touches the database or reads the clock: ``now`` is always an argument.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from returndesk.core.actors import Actor, Role, StaffRole, with_article
from returndesk.core.errors import ForbiddenAction, InvalidTransition
from returndesk.policies.domain import calendar
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.returns.domain.anomalies import Anomaly


class Status(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDING = "refunding"
    DISPUTED = "disputed"
    RESOLVED = "resolved"
    CLOSED = "closed"


TERMINAL: frozenset[Status] = frozenset({Status.CANCELLED, Status.CLOSED})


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    KEEP = "keep"
    OFFER = "offer"
    ACCEPT_OFFER = "accept_offer"
    DECLINE_OFFER = "decline_offer"
    HANDOVER = "handover"
    RETURN_TO_SENDER = "return_to_sender"
    RECEIVE = "receive"
    INSPECT = "inspect"
    REFUND = "refund"
    EXCHANGE = "exchange"
    SETTLE = "settle"
    ESCALATE = "escalate"
    DECIDE = "decide"
    EXPIRE = "expire"
    CLOSE = "close"
    REOPEN = "reopen"


class Resolution(StrEnum):
    NONE = "none"
    REFUND = "refund"
    PARTIAL_REFUND = "partial_refund"
    KEEP_ITEM = "keep_item"
    EXCHANGE = "exchange"
    REPLACEMENT = "replacement"
    SELLER_UPHELD = "seller_upheld"


class LineOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Condition(StrEnum):
    AS_NEW = "as_new"
    OPENED = "opened"
    USED = "used"
    DAMAGED = "damaged"
    MISSING_PARTS = "missing_parts"
    NOT_THE_ITEM = "not_the_item"


class DueAction(StrEnum):
    """What the system will do when a return's clock runs out."""

    APPROVE = "approve"
    EXPIRE = "expire"
    ESCALATE = "escalate"
    RECEIVE = "receive"
    INSPECT = "inspect"
    REFUND = "refund"
    DECLINE_OFFER = "decline_offer"
    CLOSE = "close"
    SUPERVISE = "supervise"


# --- Errors for guards that fail although the status is right --------------------------------


class ShipByPassed(InvalidTransition):
    code, title = "ship_by_passed", "The time to ship this return has passed"


class NotYetDue(InvalidTransition):
    code, title = "not_yet_due", "The deadline for this action has not been reached"


class NoOpenOffer(InvalidTransition):
    code, title = "no_open_offer", "There is no open partial-refund offer"


class OfferAlreadyOpen(InvalidTransition):
    code, title = "offer_already_open", "A partial-refund offer is already open"


class NotSettled(InvalidTransition):
    code, title = "not_settled", "The return's refunds have not all succeeded"


class EscalationWindowClosed(InvalidTransition):
    code, title = "escalation_window_closed", "The time to escalate has passed"


class NotAllLinesRejected(InvalidTransition):
    code, title = "lines_not_all_rejected", "Only a return whose every line was rejected can close now"


class ParcelNotLost(InvalidTransition):
    code, title = "parcel_not_lost", "The parcel is still within its transit time"


class InvalidDecision(InvalidTransition):
    code, title = "invalid_decision", "A decision must move the return to refunding, approved or resolved"


class SupervisorRequired(ForbiddenAction):
    code, title = "supervisor_required", "Only a supervisor may reopen a resolved return"


# --- Policy and time --------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Every clock of the lifecycle. Version 1 is the platform default (AliExpress as reported)."""

    version: int = 1
    seller_answer: timedelta = timedelta(days=5)
    offer_answer: timedelta = timedelta(days=3)
    ship_within: timedelta = timedelta(days=10)
    transit: timedelta = timedelta(days=30)
    receive_after_delivery: timedelta = timedelta(days=5)
    inspect_within: timedelta = timedelta(days=5)
    refund_within: timedelta = timedelta(days=2)
    # The refund ledger's clocks: when a pending refund needs someone's attention, and how long a
    # manual refund waits for its confirmation.
    refund_attention: timedelta = timedelta(days=3)
    manual_refund_confirm: timedelta = timedelta(days=3)
    escalation_window: timedelta = timedelta(days=15)
    dispute_decision: timedelta = timedelta(days=7)
    close_after_resolution: timedelta = timedelta(days=15)
    return_window_days: int = 30


DEFAULT_POLICY = Policy()


def lifecycle_policy(version: int, policy: ReturnPolicy) -> Policy:
    """The clocks and window of one stored policy version, as the lifecycle counts them."""
    clocks = policy.clock_days
    return Policy(
        version=version,
        seller_answer=timedelta(days=clocks.seller_answer),
        offer_answer=timedelta(days=clocks.offer_answer),
        ship_within=timedelta(days=clocks.ship_within),
        transit=timedelta(days=clocks.transit),
        receive_after_delivery=timedelta(days=clocks.receive_after_delivery),
        inspect_within=timedelta(days=clocks.inspect_within),
        refund_within=timedelta(days=clocks.refund_within),
        refund_attention=timedelta(days=clocks.refund_attention),
        manual_refund_confirm=timedelta(days=clocks.manual_refund_confirm),
        escalation_window=timedelta(days=clocks.escalation_window),
        dispute_decision=timedelta(days=clocks.dispute_decision),
        close_after_resolution=timedelta(days=clocks.close_after_resolution),
        return_window_days=policy.window_days,
    )


def return_window_end(
    delivered_at: datetime, time_zone: str, country: str, policy: Policy = DEFAULT_POLICY
) -> datetime:
    """The first instant the item is no longer returnable.

    Windows count from delivery in the buyer's ``time_zone``; the last day rolls forward to a
    business day of the buyer's ``country`` (a window never ends on a weekend or a holiday), and
    the window ends at the local midnight after it (``policies.domain.calendar.window_end``).
    """
    return calendar.window_end(delivered_at, time_zone, country, policy.return_window_days)


# A return in these statuses, or closed from these, no longer claims the units it names.
RELEASING_STATUSES: frozenset[Status] = frozenset({Status.CANCELLED, Status.EXPIRED})
RELEASING_CLOSES: frozenset[Status] = frozenset({Status.REJECTED, Status.EXPIRED})


def holds_quantity(status: Status, closed_from: Status | None) -> bool:
    """Whether a return still claims the units it names, so other returns cannot take them."""
    if status in RELEASING_STATUSES:
        return False
    return not (status is Status.CLOSED and closed_from in RELEASING_CLOSES)


# --- The action table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    sources: frozenset[Status]
    # Empty: the status does not change. Several: the actor chooses (only ``decide``).
    targets: tuple[Status, ...]


def _rule(roles: Collection[Role], sources: Collection[Status], *targets: Status) -> Rule:
    return Rule(frozenset(roles), frozenset(sources), targets)


R, S = Role, Status
TABLE: dict[Action, Rule] = {
    Action.APPROVE: _rule({R.SELLER, R.PLATFORM, R.SYSTEM}, {S.REQUESTED}, S.APPROVED),
    Action.REJECT: _rule({R.SELLER, R.PLATFORM}, {S.REQUESTED}, S.REJECTED),
    Action.CANCEL: _rule({R.PLATFORM, R.BUYER}, {S.REQUESTED, S.APPROVED}, S.CANCELLED),
    Action.KEEP: _rule({R.SELLER, R.PLATFORM, R.SYSTEM}, {S.REQUESTED, S.APPROVED}, S.REFUNDING),
    Action.OFFER: _rule({R.SELLER}, {S.REQUESTED, S.INSPECTED}),
    Action.ACCEPT_OFFER: _rule({R.BUYER, R.PLATFORM}, {S.REQUESTED, S.INSPECTED}, S.REFUNDING),
    Action.DECLINE_OFFER: _rule({R.BUYER, R.PLATFORM, R.SYSTEM}, {S.REQUESTED, S.INSPECTED}),
    Action.HANDOVER: _rule({R.CARRIER, R.PLATFORM}, {S.APPROVED}, S.IN_TRANSIT),
    Action.RETURN_TO_SENDER: _rule({R.CARRIER}, {S.IN_TRANSIT}, S.APPROVED),
    Action.RECEIVE: _rule({R.SELLER, R.SYSTEM}, {S.IN_TRANSIT, S.APPROVED, S.EXPIRED}, S.RECEIVED),
    Action.INSPECT: _rule({R.SELLER, R.SYSTEM}, {S.RECEIVED}, S.INSPECTED),
    # From refunding too: a top-up within the caps (a later refund of the same return).
    Action.REFUND: _rule({R.SELLER, R.PLATFORM, R.AGENT, R.SYSTEM}, {S.INSPECTED, S.REFUNDING}, S.REFUNDING),
    Action.EXCHANGE: _rule({R.SELLER, R.PLATFORM}, {S.INSPECTED}, S.RESOLVED),
    Action.SETTLE: _rule({R.SYSTEM}, {S.REFUNDING}, S.RESOLVED),
    Action.ESCALATE: _rule(
        {R.BUYER, R.PLATFORM, R.SYSTEM}, {S.REJECTED, S.INSPECTED, S.REFUNDING, S.RESOLVED, S.IN_TRANSIT}, S.DISPUTED
    ),
    Action.DECIDE: _rule({R.AGENT}, {S.DISPUTED}, S.REFUNDING, S.APPROVED, S.RESOLVED),
    Action.EXPIRE: _rule({R.SYSTEM}, {S.APPROVED}, S.EXPIRED),
    Action.CLOSE: _rule({R.SYSTEM, R.PLATFORM}, {S.RESOLVED, S.REJECTED, S.INSPECTED}, S.CLOSED),
    Action.REOPEN: _rule({R.AGENT}, {S.RESOLVED}, S.DISPUTED),
}
del R, S


@dataclass(frozen=True)
class Facts:
    """What the lifecycle needs to know about one return to judge an action."""

    status: Status
    status_since: datetime
    ship_by: datetime | None = None
    offer_open: bool = False
    offer_made_at: datetime | None = None
    line_outcomes: tuple[LineOutcome, ...] = ()
    # Known anomaly codes only (domain.anomalies); read by the guards of ANOMALY_ACTIONS alone.
    anomalies: frozenset[str] = field(default_factory=frozenset)
    policy: Policy = DEFAULT_POLICY
    # When the carrier reported the parcel delivered to the seller (a ``delivered`` tracking
    # event); starts the receive clock of an approved, in-transit or expired return.
    delivered_to_seller_at: datetime | None = None
    # The policy's auto-approve rules hold for this return (judged as it opens): the system may
    # approve it at once instead of waiting for the seller's time to answer to run out.
    auto_approve: bool = False
    # How long offers closed since the return entered this status were open: the seller's clock
    # (approve in requested, refund in inspected) stood still while the buyer considered them. The
    # open offer's own time is not in it yet (its answer is due first, ``next_deadline``).
    offer_paused: timedelta = timedelta(0)
    # The end of the buyer-local day the return's live refunds are expected to have arrived by
    # (the ledger's ``refund_expected_by``); None before a refund exists.
    money_due_at: datetime | None = None
    # When a refunding return needs someone to look at it (the ledger computes it: a transaction
    # held or failed too long, money overdue, every refund cancelled); None: nothing to watch.
    attention_at: datetime | None = None
    # Live refund transactions exist and every one succeeded: the money is back, ``settle`` may run.
    settled: bool = False


# The actions whose guard reads ``Facts.anomalies``; nothing else here does, so a service reads a
# return's anomalies only to plan one of these.
ANOMALY_ACTIONS: frozenset[Action] = frozenset({Action.ESCALATE})


def ensure_role(action: Action, role: Role) -> None:
    """Refuse (403 ``forbidden_action``) a role that may take ``action`` from no status at all."""
    if role not in TABLE[action].roles:
        raise ForbiddenAction(f"{with_article(role)} may not {action} a return.")


# What warehouse staff may do to a return of their seller; every other action decides something
# (approve, reject, refund, ...) and is the manager's.
WAREHOUSE_ACTIONS: frozenset[Action] = frozenset({Action.RECEIVE, Action.INSPECT})


def staff_may(actor: Actor, action: Action) -> bool:
    """Whether the staff member's role allows ``action`` at all: warehouse staff receive and
    inspect, nothing else. Keys, buyers, the clocks and other staff are limited by their role
    alone (``plan``)."""
    return actor.staff_role is not StaffRole.SELLER_WAREHOUSE or action in WAREHOUSE_ACTIONS


def ensure_staff_may(actor: Actor, action: Action) -> None:
    """Refuse (403 ``forbidden_action``) what ``staff_may`` does not allow."""
    if not staff_may(actor, action):
        raise ForbiddenAction(f"Warehouse staff may receive and inspect returns, not {action} them.")


def transition_refused(status: Status, action: Action) -> InvalidTransition:
    """409 ``invalid_transition``: ``action`` is not taken from ``status``. Also what a page says
    before offering the action, in the API's words."""
    return InvalidTransition(f"The return is {status}; '{action}' is not possible from there.")


def plan(
    facts: Facts, action: Action, role: Role, now: datetime, *, supervisor: bool = False, target: Status | None = None
) -> Status:
    """The status after ``action``, or the error that refuses it.

    The role is checked first (403 ``forbidden_action``), then the status (409
    ``invalid_transition``), then the action's own guard (409 with a precise code).
    """
    rule = TABLE[action]
    ensure_role(action, role)
    if facts.status not in rule.sources:
        raise transition_refused(facts.status, action)
    _check_guard(facts, action, role, now, supervisor=supervisor)
    if not rule.targets:
        return facts.status
    if len(rule.targets) == 1:
        return rule.targets[0]
    if target not in rule.targets:
        raise InvalidDecision()
    return target


def actions_for(facts: Facts, role: Role, now: datetime, *, supervisor: bool = False) -> list[Action]:
    """Every action ``plan`` allows ``role`` on a return with these facts at ``now``, in the order
    of ``Action``: the buttons a page may offer. ``decide`` is listed when any of its targets is
    open (they all are, once the status and role fit); the warehouse gate is not applied here
    (``staff_may``)."""
    return [
        action
        for action in Action
        if role in TABLE[action].roles
        and facts.status in TABLE[action].sources
        and _guard_allows(facts, action, role, now, supervisor=supervisor)
    ]


def _guard_allows(facts: Facts, action: Action, role: Role, now: datetime, *, supervisor: bool) -> bool:
    try:
        _check_guard(facts, action, role, now, supervisor=supervisor)
    except (InvalidTransition, ForbiddenAction):
        return False
    return True


def _check_guard(facts: Facts, action: Action, role: Role, now: datetime, *, supervisor: bool) -> None:
    status = facts.status
    if action is Action.HANDOVER and (facts.ship_by is None or now > facts.ship_by):
        raise ShipByPassed(
            f"The parcel had to be handed over by {facts.ship_by:%Y-%m-%d %H:%M} UTC." if facts.ship_by else None
        )
    if action is Action.EXPIRE and facts.ship_by is not None and now <= facts.ship_by:
        raise NotYetDue("The return can be expired only after its ship-by time.")
    if action is Action.OFFER and facts.offer_open:
        raise OfferAlreadyOpen()
    if action in (Action.ACCEPT_OFFER, Action.DECLINE_OFFER) and not facts.offer_open:
        raise NoOpenOffer()
    if action is Action.ACCEPT_OFFER and now >= offer_expires_at(facts):
        # Lapsed, even if nothing has recorded it yet: the buyer cannot take it past its expiry.
        raise NoOpenOffer(f"The offer lapsed at {offer_expires_at(facts):%Y-%m-%d %H:%M} UTC.")
    if action is Action.SETTLE and not facts.settled:
        raise NotSettled()
    if action is Action.ESCALATE:
        _check_escalation(facts, role, now)
    if action is Action.CLOSE:
        if status is Status.INSPECTED and (
            not facts.line_outcomes or any(outcome is not LineOutcome.REJECTED for outcome in facts.line_outcomes)
        ):
            raise NotAllLinesRejected()
        # Closing ends the buyer's chance to escalate, so nobody closes before that window ends.
        if now < close_at(facts):
            raise NotYetDue("The buyer may still escalate; the return closes when that window ends.")
    if action is Action.REOPEN and not supervisor:
        raise SupervisorRequired()
    if role is Role.SYSTEM and action is Action.APPROVE and facts.auto_approve and not facts.offer_open:
        # Auto-approve: the policy already decided, so no clock needs to run out first.
        return
    if role is Role.SYSTEM and action in _CLOCK_ACTIONS:
        deadline = next_deadline(facts)
        if deadline is None or deadline.action.value != action.value or now < deadline.at:
            raise NotYetDue(f"The system may {action} this return only when its deadline for that runs out.")


# What the system does only when a deadline of ``next_deadline`` runs out. Not here: ``keep`` and
# ``settle`` follow a policy threshold and the ledger, and escalating a lost parcel has its own
# guard. ``receive`` is here: the system receives a parcel the carrier delivered once the seller's
# time to scan it in has run out (``RECEIVE_CLOCK_STATUSES``).
_CLOCK_ACTIONS = frozenset(
    {Action.APPROVE, Action.DECLINE_OFFER, Action.INSPECT, Action.REFUND, Action.EXPIRE, Action.CLOSE, Action.RECEIVE}
)


def _check_escalation(facts: Facts, role: Role, now: datetime) -> None:
    if facts.status is Status.IN_TRANSIT:
        if facts.delivered_to_seller_at is not None:
            raise ParcelNotLost(
                "The carrier delivered the parcel to the seller; it is received when its clock runs out."
            )
        lost = Anomaly.LOST_IN_TRANSIT in facts.anomalies or now >= facts.status_since + facts.policy.transit
        if not lost:
            raise ParcelNotLost()
        return
    if role is Role.SYSTEM:
        raise InvalidTransition("The system escalates only parcels lost in transit.")
    if now >= escalation_end(facts):
        raise EscalationWindowClosed()


# While the money is on its way, the buyer's time to contest counts from when it is due to arrive.
MONEY_STATUSES: frozenset[Status] = frozenset({Status.REFUNDING, Status.RESOLVED})


def escalation_end(facts: Facts) -> datetime:
    """The first instant the buyer may no longer escalate: ``escalation_window`` after the return
    entered its status, or, refunding and resolved, after the later of that and ``money_due_at``
    (a refund expected to arrive late keeps the buyer's window open until it should have)."""
    start = facts.status_since
    if facts.status in MONEY_STATUSES and facts.money_due_at is not None:
        start = max(start, facts.money_due_at)
    return start + facts.policy.escalation_window


def close_at(facts: Facts) -> datetime:
    """The first instant a resolved, rejected or inspected return may close: a resolved one after
    ``close_after_resolution`` and its escalation end, the others when the escalation window ends."""
    if facts.status is Status.RESOLVED:
        return max(facts.status_since + facts.policy.close_after_resolution, escalation_end(facts))
    return escalation_end(facts)


# --- Offers -----------------------------------------------------------------------------------

# The statuses a seller makes partial-refund offers in; leaving one withdraws an open offer.
OFFER_STATUSES: frozenset[Status] = frozenset({Status.REQUESTED, Status.INSPECTED})


def offer_expires_at(facts: Facts) -> datetime:
    """When the open offer lapses: ``offer_answer`` after it was made (the status's start when the
    facts do not know the time)."""
    return (facts.offer_made_at or facts.status_since) + facts.policy.offer_answer


def offer_withdrawn(facts: Facts, action: Action, to_status: Status) -> bool:
    """Whether taking ``action`` (planned to ``to_status``) withdraws the open offer: leaving
    requested or inspected by anything but accepting it (approve, reject, keep, refund, ...)."""
    return (
        facts.offer_open
        and facts.status in OFFER_STATUSES
        and to_status is not facts.status
        and action is not Action.ACCEPT_OFFER
    )


def offer_paused_after(facts: Facts, closed_at: datetime) -> timedelta:
    """``offer_paused`` once the open offer closes (declined, lapsed) at ``closed_at`` while the
    return stays in its status: the seller's clock resumes, later by the time the offer was open.
    A lapse closes at the offer's expiry, however late the sweep records it."""
    if not facts.offer_open:
        return facts.offer_paused
    made_at = facts.offer_made_at or facts.status_since
    return facts.offer_paused + max(closed_at - made_at, timedelta(0))


# --- Deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    at: datetime
    action: DueAction


# The statuses in which a parcel the carrier delivered to the seller is received by the clock.
RECEIVE_CLOCK_STATUSES: frozenset[Status] = frozenset({Status.APPROVED, Status.IN_TRANSIT, Status.EXPIRED})


def next_deadline(facts: Facts, *, offer_made_at: datetime | None = None) -> Deadline | None:
    """What the system will do next to a return in ``facts.status``, counted from ``status_since``.

    An open partial-refund offer pauses the seller's clock: the buyer's answer is due instead (the
    offer lapses at its expiry), and once it closes the seller's deadline moves by the time offers
    were open (``offer_paused``). A parcel delivered to the seller (approved, in transit or
    expired) is received ``receive_after_delivery`` after the delivery, replacing the expiry or
    the lost-parcel escalation even where that would come earlier: a late parcel is received,
    never left expired. A refunding return is supervised at its ``attention_at``; a resolved one
    closes once the buyer may no longer escalate (``close_at``).
    """
    policy, since = facts.policy, facts.status_since
    if facts.delivered_to_seller_at is not None and facts.status in RECEIVE_CLOCK_STATUSES:
        return Deadline(facts.delivered_to_seller_at + policy.receive_after_delivery, DueAction.RECEIVE)
    if facts.offer_open and facts.status in OFFER_STATUSES:
        if offer_made_at is not None:
            facts = replace(facts, offer_made_at=offer_made_at)
        return Deadline(offer_expires_at(facts), DueAction.DECLINE_OFFER)
    match facts.status:
        case Status.REQUESTED:
            return Deadline(since + policy.seller_answer + facts.offer_paused, DueAction.APPROVE)
        case Status.APPROVED:
            assert facts.ship_by is not None, "an approved return always has ship_by"
            return Deadline(facts.ship_by, DueAction.EXPIRE)
        case Status.IN_TRANSIT:
            return Deadline(since + policy.transit, DueAction.ESCALATE)
        case Status.RECEIVED:
            return Deadline(since + policy.inspect_within, DueAction.INSPECT)
        case Status.INSPECTED:
            if facts.line_outcomes and all(o is LineOutcome.REJECTED for o in facts.line_outcomes):
                return Deadline(since + policy.escalation_window, DueAction.CLOSE)
            return Deadline(since + policy.refund_within + facts.offer_paused, DueAction.REFUND)
        case Status.REJECTED:
            return Deadline(since + policy.escalation_window, DueAction.CLOSE)
        case Status.RESOLVED:
            return Deadline(close_at(facts), DueAction.CLOSE)
        case Status.DISPUTED:
            return Deadline(since + policy.dispute_decision, DueAction.SUPERVISE)
        case Status.REFUNDING:
            # The ledger settles it when the money is back; until then someone looks at it when
            # the ledger says it needs attention (nothing to watch: no deadline).
            return None if facts.attention_at is None else Deadline(facts.attention_at, DueAction.SUPERVISE)
        case _:
            # expired, cancelled and closed wait for nothing.
            return None


def ship_by_after(approved_at: datetime, policy: Policy) -> datetime:
    """When an approved (or returned-to-sender) parcel must be handed over at the latest."""
    return approved_at + policy.ship_within
