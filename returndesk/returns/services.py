"""Everything that changes a return. Each service is one transaction: lock the row, ask the
lifecycle, write the change and an event, and leave side effects to after the commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from returndesk.accounts import services as accounts_services
from returndesk.accounts.errors import BuyerNotFound
from returndesk.accounts.limits import client_bucket, email_bucket
from returndesk.core import clock, money
from returndesk.core.actors import Actor, ActorKind, Role
from returndesk.core.after_response import after_response
from returndesk.core.errors import Forbidden, ForbiddenAction
from returndesk.core.orm import rows_changed, rows_known
from returndesk.core.ratelimit import FailureLimiter
from returndesk.core.sql import (
    fetch_all,
    insert_rows,
    queue_insert,
    queue_update,
    quoted_table,
    row_snapshot,
    row_to_instances,
    select_columns,
)
from returndesk.core.transactions import after_commit
from returndesk.marketplace.errors import OrderNotFound
from returndesk.marketplace.locks import order_lock
from returndesk.marketplace.models import Buyer, Order, OrderLine
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.policies.models import PolicyVersion
from returndesk.policies.selectors import policy_version_get
from returndesk.returns import hooks, selectors
from returndesk.returns.domain import anomalies, codes, lifecycle, opening
from returndesk.returns.domain.lifecycle import (
    Action,
    Facts,
    Status,
)
from returndesk.returns.domain.opening import OrderFacts, OrderLineFacts
from returndesk.returns.domain.requests import LineInspection, PreferredResolution, RequestedLine
from returndesk.returns.errors import (
    CodeNotNeeded,
    DuplicateLine,
    InspectionIncomplete,
    LineNotInReturn,
    ReasonRequired,
    ReturnAddressMissing,
    ReturnNotFound,
    TooManyCodeReminders,
)
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent, ReturnLine

# The event that opens every timeline; not a lifecycle action, since nothing precedes it.
REQUEST_EVENT = "request"
# The event beside each anomaly recorded on its own (from = to): what was found, in its data.
ANOMALY_EVENT = "anomaly"
# How often a freshly drawn code may collide before we stop believing in chance.
_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class _OrderRead:
    facts: OrderFacts
    lines: dict[str, OrderLine]
    # The number of the policy version in force for the order's seller.
    version: int


def _order_read(order: Order) -> _OrderRead:
    """What judging an opening reads of ``order`` (locked): every line with the units its open
    returns already claim (the query form of ``lifecycle.holds_quantity``), how many free returns
    of the order still hold units, and the number of the seller's policy version in force (the
    seller's latest, else the default's latest: ``policies.selectors.policy_in_force``'s rule).

    One plain-SQL statement, not ORM queries and aggregates: opening a return is the busiest
    write of the API, and compiling those queries cost more than running them. Its text is the
    same for every order, so PostgreSQL prepares it once per connection; the free returns' count
    and the version are uncorrelated, read once. The version's policy is then read by number,
    which this process keeps once read (``policy_version_get``): no statement of its own.
    """
    held_units, held_params = selectors.held_units_sql("ol")
    holding, holding_params = selectors.holding_sql("f")
    versions = quoted_table(PolicyVersion)
    sql = (
        f"SELECT {select_columns(OrderLine, 'ol')}, {held_units},"  # noqa: S608
        f" (SELECT COUNT(*) FROM {quoted_table(Return)} f WHERE f.order_id = %s AND f.free_return AND {holding}),"
        f" COALESCE((SELECT MAX(v.version) FROM {versions} v WHERE v.seller_id = %s),"
        f" (SELECT MAX(d.version) FROM {versions} d WHERE d.seller_id IS NULL))"
        f" FROM {quoted_table(OrderLine)} ol WHERE ol.order_id = %s"
    )
    lines: dict[str, OrderLineFacts] = {}
    order_lines: dict[str, OrderLine] = {}
    rows = fetch_all(sql, [*held_params, order.pk, *holding_params, order.seller_id, order.pk])
    for *columns, held, _free_returns, _version in rows:
        (line,) = row_to_instances(columns, OrderLine)
        assert isinstance(line, OrderLine)
        line.order = order
        order_lines[line.external_id] = line
        lines[line.external_id] = OrderLineFacts(
            facts=selectors.line_facts(line, held=held),
            paid=money.to_minor(line.paid_amount, order.currency),
        )
    facts = OrderFacts(
        external_id=order.external_id,
        currency=order.currency,
        buyer=selectors.buyer_facts(order.buyer),
        shipping=money.to_minor(order.shipping_amount, order.currency),
        lines=lines,
        earlier_free_returns=int(rows[0][-2]),
        has_return_address=bool(order.seller.return_address),
        shipping_refunded=money.to_minor(order.shipping_refunded, order.currency),
    )
    # Every order has a line (the import requires one), so the row is there.
    return _OrderRead(facts, order_lines, int(rows[0][-1]))


def return_open(
    *,
    actor: Actor,
    order_external_id: str,
    lines: Sequence[RequestedLine],
    preferred_resolution: PreferredResolution = PreferredResolution.REFUND,
    now: datetime | None = None,
) -> Return:
    """Open a return on lines of one order and issue its code.

    Every line is judged by the policy in force for the order's seller (``domain.opening``): a
    refusal answers 422 naming every refused line, and writes nothing. The return stores that
    version, the buyer's preferred resolution, whether it is free and an EU withdrawal, and each
    line's paid share. When the policy's auto-approve rules hold, the system approves it in the
    same transaction (a second event, ``approve`` by the system). When the advice suggests keeping
    the item and the buyer asked for a refund or to keep it (``opening.keeps_at_request``), the
    system keeps it instead, through the keep hook of the refund ledger (``hooks``), in the same
    transaction: the answer is then ``refunding``, ``keep_item``.

    The order row is locked first, so two requests for the last unit of a line queue and the
    second sees the first's claim. That lock comes before the return's insert, which takes the
    seller's and the buyer's too (their foreign keys): ``core.locks``' order, as in the import.
    """
    if actor.role not in (Role.PLATFORM, Role.BUYER):
        raise Forbidden("Only the buyer, or the platform for the buyer, opens returns.")
    opening.requested_lines_check(lines)
    for attempt in range(_CODE_ATTEMPTS):
        code = codes.generate()
        try:
            return _return_open(actor, order_external_id, lines, preferred_resolution, code=code, now=now)
        except IntegrityError:
            # The transaction (or its savepoint, when nested) is rolled back whole; only a clash of
            # codes is worth another draw, any other violation is a bug to surface.
            if attempt == _CODE_ATTEMPTS - 1 or not Return.objects.filter(code=code).exists():
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Judged:
    """An opening judged under the order's lock: the order, its lines by external id, the policy
    version in force and its policy, the time judged, and the verdict."""

    order: Order
    order_lines: dict[str, OrderLine]
    version: int
    policy: ReturnPolicy
    now: datetime
    verdict: opening.Opening


# Who approves a return whose policy's auto-approve rules hold: the system, as the policy says.
AUTO_APPROVER = Actor(kind=ActorKind.SYSTEM, id="auto_approve")


def _opening_judged(
    actor: Actor,
    order_external_id: str,
    lines: Sequence[RequestedLine],
    preferred_resolution: PreferredResolution,
    now: datetime | None,
) -> _Judged:
    """Lock the order and judge the request under the policy in force. 404 ``order_not_found``
    for an order that is not there, or not this buyer's."""
    order = order_lock(external_id=order_external_id)
    if order is None or (actor.role is Role.BUYER and order.buyer_id != actor.buyer_id):
        raise OrderNotFound(f"No order {order_external_id!r}.")
    # Read after the lock: the timeline's order is the order in which the writes committed.
    now = now or clock.now()
    read = _order_read(order)
    policy = policy_version_get(version=read.version).policy
    opening.resolution_check(preferred_resolution, policy)
    verdict = opening.opening_judge(read.facts, lines, policy=policy, now=now)
    return _Judged(order, read.lines, read.version, policy, now, verdict)


def return_preview(
    *,
    actor: Actor,
    order_external_id: str,
    lines: Sequence[RequestedLine],
    preferred_resolution: PreferredResolution = PreferredResolution.REFUND,
    now: datetime | None = None,
) -> opening.Opening:
    """What opening this return now would answer, writing nothing: every refusal, whether the
    system would approve it at once, and the cost advice. The same judging as ``return_open``,
    under the same lock (a preview beside an opening sees it whole or not at all)."""
    if actor.role not in (Role.PLATFORM, Role.BUYER):
        raise Forbidden("Only the buyer, or the platform for the buyer, previews returns.")
    opening.requested_lines_check(lines)
    with transaction.atomic():
        verdict = _opening_judged(actor, order_external_id, lines, preferred_resolution, now).verdict
    if opening.keeps_at_request(verdict, preferred_resolution) and hooks.return_kept_hooks():
        # Kept as it opens (the advice says keep_item): the system keeps it, it approves nothing.
        return replace(verdict, auto_approve=False)
    return verdict


def _return_open(
    actor: Actor,
    order_external_id: str,
    lines: Sequence[RequestedLine],
    preferred_resolution: PreferredResolution,
    *,
    code: str,
    now: datetime | None,
) -> Return:
    # The return's insert takes no savepoint of its own: 60 random bits all but never clash, and
    # when they do, return_open runs this whole transaction again with another code.
    with transaction.atomic():
        # The seller and buyer come along unlocked: the return's insert takes them in their turn.
        judged = _opening_judged(actor, order_external_id, lines, preferred_resolution, now)
        order, verdict, now = judged.order, judged.verdict, judged.now
        if not verdict.returnable:
            raise opening.refusal_error(verdict)
        # The version in force now is the return's for good: its first clock already counts by it.
        clocks = lifecycle.lifecycle_policy(judged.version, judged.policy)
        # Kept at request: no parcel, so no approval either; the keep hook refunds it below.
        kept = opening.keeps_at_request(verdict, preferred_resolution) and bool(hooks.return_kept_hooks())
        auto_approve = verdict.auto_approve and not kept
        requested_facts = Facts(status=Status.REQUESTED, status_since=now, policy=clocks, auto_approve=auto_approve)
        status = Status.REQUESTED
        ship_by = None
        if auto_approve:
            status = lifecycle.plan(requested_facts, Action.APPROVE, AUTO_APPROVER.role, now)
            ship_by = lifecycle.ship_by_after(now, clocks)
        deadline = lifecycle.next_deadline(replace(requested_facts, status=status, ship_by=ship_by))
        assert deadline is not None
        (ret,) = insert_rows(
            [
                Return(
                    code=code,
                    order=order,
                    seller=order.seller,
                    buyer=order.buyer,
                    status=status,
                    status_since=now,
                    ship_by=ship_by,
                    due_at=deadline.at,
                    due_action=deadline.action,
                    policy_id=judged.version,
                    preferred_resolution=preferred_resolution,
                    free_return=verdict.free,
                    eu_withdrawal=verdict.eu_withdrawal,
                    created_at=now,
                    updated_at=now,
                )
            ]
        )
        return_lines = insert_rows(
            [
                ReturnLine(
                    return_request=ret,
                    order_line=judged.order_lines[line.requested.line],
                    quantity=line.requested.quantity,
                    reason=line.requested.reason,
                    note=line.requested.note,
                    paid_share=money.from_minor(line.paid_share, order.currency),
                    exchange_variant_id=line.requested.exchange_variant_id,
                )
                for line in verdict.lines
            ]
        )
        buyer_side = actor.for_buyer(order.buyer.external_id) if actor.role is Role.PLATFORM else actor
        event_rows = [
            _event_row(
                ret,
                buyer_side,
                REQUEST_EVENT,
                from_status=None,
                to_status=Status.REQUESTED,
                at=now,
                data={
                    "lines": [{"line": line.line, "quantity": line.quantity, "reason": line.reason} for line in lines]
                },
            )
        ]
        if auto_approve:
            event_rows.append(
                _event_row(ret, AUTO_APPROVER, Action.APPROVE, from_status=Status.REQUESTED, to_status=status, at=now)
            )
        # Both events in one statement: the auto-approval costs no statement of its own.
        events = insert_rows(event_rows)
        # Everything the answer reads was written here: it is rendered from these rows, not read back.
        rows_known(ret, lines=return_lines, anomalies=[], events=events)
        for keep in hooks.return_kept_hooks() if kept else ():
            ret = keep(ret, now)
    return ret


def _event_row(
    ret: Return,
    actor: Actor,
    action: str,
    *,
    from_status: Status | None,
    to_status: Status,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ReturnEvent:
    return ReturnEvent(
        return_request=ret,
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        on_behalf_of=actor.on_behalf_of,
        action=action,
        from_status=from_status or "",
        to_status=to_status,
        reason=reason,
        data=data or {},
    )


def return_event_append(
    *, ret: Return, actor: Actor, action: str, at: datetime, reason: str = "", data: dict[str, Any] | None = None
) -> ReturnEvent:
    """Append an event that changes no status (an anomaly, a tracking scan, a refund's success).

    The caller holds the return's row lock, in the transaction of the change the event records.
    """
    (event,) = insert_rows([return_event_row(ret=ret, actor=actor, action=action, at=at, reason=reason, data=data)])
    return event


def return_event_row(
    *, ret: Return, actor: Actor, action: str, at: datetime, reason: str = "", data: dict[str, Any] | None = None
) -> ReturnEvent:
    """The row, not written yet, of an event that changes no status: for a caller that appends it
    with the action that follows in the same transaction (``return_transition_locked``'s
    ``events_before``), in one statement."""
    status = Status(ret.status)
    return _event_row(ret, actor, action, from_status=status, to_status=status, at=at, reason=reason, data=data)


def return_anomaly_record(
    *,
    ret: Return,
    code: str,
    at: datetime,
    source: str,
    line: ReturnLine | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ReturnAnomaly:
    """Record a receipt anomaly on ``ret`` (on one of its lines, or on the parcel as a whole).

    ``code`` must be registered in ``domain.anomalies``; ``source`` names the action that found
    it; ``data`` what lies behind it (the SKU, GTIN, quantities or weights). The caller holds the
    return's row lock, in the transaction of that action, and says in that action's event (or in
    an ``anomaly`` event of its own, ``ANOMALY_EVENT``) what was found.
    """
    if not anomalies.is_known(code):
        # A code comes from the code that detects it, never from a client: this is a bug.
        raise ValueError(f"Anomaly code {code!r} is not registered in returndesk.returns.domain.anomalies.")
    anomaly = ReturnAnomaly.objects.create(
        return_request=ret, line=line, code=code, note=note, at=at, source=source, data=data or {}
    )
    rows_changed(ret, "anomalies")
    return anomaly


def return_recorded_actor(actor: Actor, action: Action, ret: Return) -> Actor:
    """The platform taking a buyer's action (cancel, escalate, ...) acts on the buyer's behalf."""
    if actor.role is Role.PLATFORM and Role.BUYER in lifecycle.TABLE[action].roles:
        return actor.for_buyer(ret.buyer.external_id)
    return actor


def return_transition(
    *,
    code: str,
    actor: Actor,
    action: Action,
    now: datetime | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    apply: Callable[[Return, datetime], None] | None = None,
) -> Return:
    """Lock the return, check ``action`` against the lifecycle, apply it and append its event.

    The only code that changes a return's status: every service of every app moves a return
    through here, so the lifecycle, the deadline and the timeline can never disagree. ``apply``
    writes the action's own columns before the status changes; ``now`` defaults to the clock,
    read after the lock so that concurrent actions get times in the order they commit.
    """
    # Warehouse staff are refused what they may never do, whichever return the code names.
    lifecycle.ensure_staff_may(actor, action)
    if actor.kind is ActorKind.CARRIER:
        # Carriers see every code (the verifier) but may read no return: refused only after the
        # lookup, an action would answer 403 for a real code and 404 for a made-up one.
        lifecycle.ensure_role(action, actor.role)
    # Only the guards of a few actions read anomalies: the others skip that query.
    reads_anomalies = action in lifecycle.ANOMALY_ACTIONS
    with transaction.atomic():
        ret = (
            selectors.visible_returns(actor)
            .select_for_update(of=("self",))
            # Joined, not queried: the buyer an action is recorded for, the seller's return address,
            # and the order the answer names.
            .select_related("order", "buyer", "seller")
            .filter(code=codes.normalise(code))
            .prefetch_related(
                selectors.lines_prefetch(), *([selectors.anomalies_prefetch()] if reads_anomalies else [])
            )
            .first()
        )
        if ret is None:
            raise ReturnNotFound()
        known_anomalies = selectors.return_known_anomalies(ret) if reads_anomalies else frozenset[str]()
        return_transition_locked(
            ret=ret,
            actor=return_recorded_actor(actor, action, ret),
            action=action,
            now=now or clock.now(),
            known_anomalies=known_anomalies,
            reason=reason,
            data=data,
            apply=apply,
        )
    return ret


def return_transition_locked(
    *,
    ret: Return,
    actor: Actor,
    action: Action,
    now: datetime,
    known_anomalies: frozenset[str] = frozenset(),
    judged_at: datetime | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    apply: Callable[[Return, datetime], None] | None = None,
    since: tuple[Any, ...] | None = None,
    events_before: Sequence[ReturnEvent] = (),
) -> ReturnEvent:
    """``return_transition`` once the return is locked: plan ``action`` in the lifecycle, apply
    it, set the status and the next deadline, write the row and append the one event.

    For a hot path that locks and reads the return in a statement of its own (a handover at the
    counter, a refund) instead of ``return_transition``'s ORM query: the caller holds the row lock
    in its transaction, and ``ret``'s lines are known (read, or seeded with ``core.orm.rows_known``).
    ``actor`` is recorded as given (``return_recorded_actor`` says for whom). ``judged_at`` is when
    the lifecycle's guards judge the action (an offline counter's acceptance time), ``now`` when it
    is recorded. Leaving requested or inspected with an offer open withdraws it (``hooks``, said in
    the event's data); a new status starts with no offer open and nothing paused.

    A caller that changed the row since it locked it (its ``row_snapshot`` then: ``since``) and has
    events of that change to append (``return_event_row``: ``events_before``) leaves both to this
    write: one UPDATE of the row and one INSERT of every event. Both are queued
    (``core.sql.queue_update``, ``queue_insert``): in a keyed request's transaction on PostgreSQL
    they go with its next statement, in one; the event answered has its key once written.
    """
    from_status, read = Status(ret.status), row_snapshot(ret) if since is None else since
    facts = selectors.return_facts(ret, known_anomalies=known_anomalies)
    to_status = lifecycle.plan(facts, action, actor.role, judged_at or now, supervisor=actor.supervisor)
    if apply is not None:
        apply(ret, now)
    if lifecycle.offer_withdrawn(facts, action, to_status):
        # Leaving the offer's status answers it: withdrawn, said in this action's event.
        data = dict(data or {})
        for withdraw in hooks.return_offer_withdrawn_hooks():
            data.update(withdraw(ret, actor, action, to_status, now))
    if to_status is not from_status:
        ret.status, ret.status_since = to_status, now
        ret.closed_from = from_status if to_status is Status.CLOSED else ""
        # A new status starts its clocks afresh: no offer is open in it, none has paused it yet.
        ret.offer_open, ret.offer_made_at, ret.offer_paused = False, None, timedelta(0)
    deadline = lifecycle.next_deadline(selectors.return_facts(ret, known_anomalies=known_anomalies))
    ret.due_at, ret.due_action = (deadline.at, deadline.action) if deadline else (None, "")
    ret.updated_at = now
    queue_update(ret, since=read)
    event = _event_row(
        ret, actor, action, from_status=from_status, to_status=to_status, at=now, reason=reason, data=data
    )
    return queue_insert([*events_before, event])[-1]


def return_approve(*, code: str, actor: Actor, now: datetime | None = None) -> Return:
    """Approve a requested return; the buyer must hand the parcel over by ``ship_by``."""

    def set_ship_by(ret: Return, at: datetime) -> None:
        if not ret.seller.return_address:
            raise ReturnAddressMissing(
                f"Seller {ret.seller.external_id!r} has no return address, so the buyer would have nowhere"
                " to send the parcel. Import one of the seller's orders again with its return_address."
            )
        ret.ship_by = lifecycle.ship_by_after(at, selectors.return_policy(ret))

    return return_transition(code=code, actor=actor, action=Action.APPROVE, now=now, apply=set_ship_by)


def return_reject(*, code: str, actor: Actor, reason: str, now: datetime | None = None) -> Return:
    """Reject a requested return, saying why; the buyer may escalate within the window."""
    if not reason.strip():
        raise ReasonRequired("Say why the return is rejected: the buyer sees the reason.")
    return return_transition(code=code, actor=actor, action=Action.REJECT, now=now, reason=reason)


def return_cancel(*, code: str, actor: Actor, reason: str = "", now: datetime | None = None) -> Return:
    """Cancel a return before handover; its units become returnable again."""
    return return_transition(code=code, actor=actor, action=Action.CANCEL, now=now, reason=reason)


def parcel_record(ret: Return, _at: datetime) -> None:
    """``return_transition``'s ``apply`` for the actions that put the parcel in hand (receive,
    handover): the code has then been used."""
    ret.parcel_recorded = True


def return_receive(*, code: str, actor: Actor, note: str = "", now: datetime | None = None) -> Return:
    """Record that the parcel reached the seller (also when it was never scanned, or came late)."""

    return return_transition(code=code, actor=actor, action=Action.RECEIVE, now=now, reason=note, apply=parcel_record)


def return_inspect(*, code: str, actor: Actor, lines: Sequence[LineInspection], now: datetime | None = None) -> Return:
    """Record each line's outcome and condition; every line of the return needs one.

    A line rejected as ``not_the_item`` also records an ``item_mismatch`` anomaly on that line,
    listed in the inspect event's data; accepting such a line contradicts itself and is refused.
    """
    by_line = {line.line: line for line in lines}
    if len(by_line) != len(lines):
        raise DuplicateLine("Give each line's outcome once.")
    for line in lines:
        line.check()
    found = [(line.line, line.anomaly) for line in lines if line.anomaly is not None]

    def record_outcomes(ret: Return, at: datetime) -> None:
        return_lines = {line.order_line.external_id: line for line in ret.lines.all()}
        unknown = sorted(set(by_line) - set(return_lines))
        if unknown:
            raise LineNotInReturn(f"The return has no line {unknown[0]!r}.")
        missing = sorted(set(return_lines) - set(by_line))
        if missing:
            raise InspectionIncomplete(f"Line {missing[0]!r} needs an outcome.")
        for external_id, line in return_lines.items():
            line.outcome, line.condition = by_line[external_id].outcome, by_line[external_id].condition
            line.save(update_fields=["outcome", "condition"])
        for external_id, anomaly in found:
            return_anomaly_record(ret=ret, code=anomaly, line=return_lines[external_id], at=at, source=Action.INSPECT)

    data: dict[str, Any] = {
        "lines": [{"line": line.line, "outcome": line.outcome, "condition": line.condition} for line in lines]
    }
    if found:
        data["anomalies"] = [{"code": anomaly, "line": external_id} for external_id, anomaly in found]
    return return_transition(code=code, actor=actor, action=Action.INSPECT, now=now, apply=record_outcomes, data=data)


def return_close(*, code: str, actor: Actor, now: datetime | None = None) -> Return:
    """Close a resolved or rejected return, or an inspected one whose every line was rejected."""
    return return_transition(code=code, actor=actor, action=Action.CLOSE, now=now)


# Read when used, so the setting (and ``override_settings``) applies to every check.
verify_failures = FailureLimiter(limit=lambda: settings.RETURNDESK["VERIFY_FAILURES_PER_MINUTE"])


def verify_buckets(actor: Actor, point_id: str | None) -> list[str]:
    """Failures count per API key and, for a carrier at one of its drop-off points, per point.

    A point belongs to its carrier: counting another carrier's (or any other key's) failures
    against it would let them lock that counter out of the verifier. Keys of one carrier share
    its points' counters.
    """
    if point_id and actor.kind is ActorKind.CARRIER:
        return [f"verify:key:{actor.id}", f"verify:point:{actor.carrier}:{point_id}"]
    return [f"verify:key:{actor.id}"]


def code_check(
    *,
    actor: Actor,
    raw_code: str,
    order: str | None = None,
    sku: str | None = None,
    point_id: str | None = None,
    now: datetime | None = None,
) -> selectors.Verification:
    """Verify a code for the item in hand, counting failures (``Verification.failed``: a code
    malformed, mistyped, unknown or for another item) against the caller's limits.

    Past a limit the answer is 429 before the code is looked up, so neither the answer nor the
    time it takes tells anything about the code. With the counters in the database the check
    rides in the lookup's statement (one round trip); with Redis it comes first.
    """
    now = now or clock.now()
    buckets = verify_buckets(actor, point_id)
    # A code of the wrong shape is known to be wrong before any lookup; a typo's suggestions are
    # a lookup of their own, so both are checked first.
    well_formed = codes.shape(codes.normalise(raw_code)) is codes.Shape.VALID
    check = verify_failures.check_sql(buckets, now=now) if well_formed else None
    if check is None:
        verify_failures.ensure_allowed(buckets, now=now)
    verification = selectors.code_verify(actor=actor, raw_code=raw_code, order=order, sku=sku, now=now, check=check)
    if verification.failure_count is not None:
        verify_failures.ensure_below_limit(verification.failure_count, now=now)
    if verification.failed:
        verify_failures.record_failure(buckets, now=now)
    return verification


def buyer_portal_link_create(
    *,
    buyer_external_id: str,
    origin: str,
    return_code: str | None = None,
    expires_in: int = accounts_services.PORTAL_LINK_SECONDS_DEFAULT,
) -> tuple[str, datetime]:
    """A one-time sign-in link the platform hands a buyer, (url, expires_at), landing on one of
    their returns when given: 404 ``not_found`` for an unknown buyer or a return that is not
    theirs (alike, whether or not it exists). Here rather than in ``accounts``: checking the
    return reads returns, which sit above accounts; the link itself is the accounts' kind."""
    buyer = Buyer.objects.filter(external_id=buyer_external_id).first()
    if buyer is None:
        raise BuyerNotFound(f"No buyer has the external id {buyer_external_id!r}.")
    code = ""
    if return_code is not None:
        code = codes.normalise(return_code)
        if not Return.objects.filter(code=code, buyer=buyer).exists():
            raise ReturnNotFound(f"Buyer {buyer_external_id!r} has no return {return_code!r}.")
    return accounts_services.portal_link_create(buyer=buyer, origin=origin, return_code=code, expires_in=expires_in)


# --- Lost codes: reminders by mail --------------------------------------------------------------

# The event a re-sent code leaves on the timeline (no status changes).
CODE_RESENT_EVENT = "code_resent"
_REMINDERS = "code-reminders"
_REMINDER_WINDOW = timedelta(hours=1)
_TRY_LATER = "Too many return code reminders; try again in {retry_after} seconds."
# Counted in the sign-in limits' store, read when used (so ``override_settings`` applies). The
# address is lower-cased and digested as the sign-in limits do; the buyer's own requests and
# customer service's re-sends count against the same address.
code_reminders_per_email = FailureLimiter(
    limit=lambda: settings.RETURNDESK["CODE_REMINDERS_PER_HOUR_PER_EMAIL"],
    window=_REMINDER_WINDOW,
    error=TooManyCodeReminders,
    message=_TRY_LATER,
)
code_reminders_per_client = FailureLimiter(
    limit=lambda: settings.RETURNDESK["CODE_REMINDERS_PER_HOUR_PER_CLIENT"],
    window=_REMINDER_WINDOW,
    error=TooManyCodeReminders,
    message=_TRY_LATER,
)


def _in_time_zone(moment: datetime, time_zone: str) -> str:
    """``moment`` in the buyer's time zone, named: "March 20, 2026, 1 p.m. (Europe/Madrid)"."""
    local = timezone.localtime(moment, ZoneInfo(time_zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({time_zone})"


def _code_line(ret: Return) -> str:
    if ret.status == Status.APPROVED and ret.ship_by is not None:
        return gettext("%(code)s  approved: hand the parcel over by %(ship_by)s") % {
            "code": ret.code_display,
            "ship_by": _in_time_zone(ret.ship_by, ret.buyer.time_zone),
        }
    return gettext("%(code)s  waiting for the seller's approval, which sets the date to hand the parcel over by") % {
        "code": ret.code_display
    }


def _code_mail(returns: list[Return], *, resent: bool) -> EmailMessage:
    """The mail of one order's codes (``returns``, all of one order and buyer), to the buyer's
    address on file."""
    order, buyer = returns[0].order, returns[0].buyer
    # On one line: an order imported before numbers were checked may hold a line break, which a
    # mail's subject cannot (the mail would fail after the request had been answered).
    number = " ".join((order.number or order.external_id).split())
    subject = ngettext(
        "Your return code for order %(number)s", "Your return codes for order %(number)s", len(returns)
    ) % {"number": number}
    intro = (
        gettext("Customer service sent you your return code again, as you asked.")
        if resent
        else gettext("You asked for the return codes of your order %(number)s from %(seller)s.")
        % {"number": number, "seller": returns[0].seller.name}
    )
    body = "\n\n".join(
        [
            intro,
            "\n".join(_code_line(ret) for ret in returns),
            gettext(
                "Show the code at the drop-off counter when you hand the parcel over; the counter checks it. "
                "If you did not ask for this message, ignore it: nothing has changed."
            ),
        ]
    )
    return EmailMessage(subject=subject, body=body, to=[buyer.email])


def _mail_after_response(messages: list[EmailMessage]) -> None:
    """After the commit, queue the mail to go once the answer has left (``core.after_response``):
    a request that found codes to mail answers as fast as one that found none."""

    def send() -> None:
        # No message, no connection: the backends open none for an empty list.
        get_connection().send_messages(messages)

    after_commit(after_response, send)


def code_reminder_request(*, order: str, email: str, client: str, now: datetime | None = None) -> None:
    """Mail a buyer the codes of their order's requested and approved returns, each with its
    ship-by time in the buyer's time zone, when ``email`` is the buyer's address (any case) and
    ``order`` one of their orders (external id or number); to the address on file, one mail per
    order. Anyone may ask, without a key.

    Nothing in the answer, its status or its timing tells whether anything matched: the limits
    are counted first (3 an hour per address, 20 per client: 429 ``rate_limited``, matched or
    not), the lookup is one query either way, the mails are built either way (none when nothing
    matched) and sent after the commit, once the answer has left.
    """
    now = now or clock.now()
    code_reminders_per_client.record_failure([client_bucket(_REMINDERS, client)], now=now)
    code_reminders_per_email.record_failure([email_bucket(_REMINDERS, email)], now=now)
    with transaction.atomic():
        found = selectors.returns_for_code_reminder(order=order, email=email)
        messages = [_code_mail(list(returns), resent=False) for _, returns in groupby(found, key=lambda r: r.order_id)]
        _mail_after_response(messages)


def return_code_resend(*, code: str, actor: Actor, now: datetime | None = None) -> Return:
    """Mail a requested or approved return's code (and ship-by time) to its buyer's address on
    file, never to one a caller gives, and append a ``code_resent`` event. The platform and
    customer service only (others 403 ``forbidden_action``, before the code is looked up); 409
    ``code_not_needed`` in any other status; counts toward the buyer's address limit of code
    reminders (429 ``rate_limited`` past it). The mail leaves after the commit.
    """
    if actor.kind not in (ActorKind.PLATFORM, ActorKind.AGENT):
        raise ForbiddenAction("Only the platform and customer service send a buyer their return code again.")
    with transaction.atomic():
        ret = (
            selectors.visible_returns(actor)
            .select_for_update(of=("self",))
            .select_related("order", "seller", "buyer")
            .filter(code=codes.normalise(code))
            .first()
        )
        if ret is None:
            raise ReturnNotFound()
        if ret.status not in selectors.CODE_NEEDED_STATUSES:
            raise CodeNotNeeded(
                f"The return is {ret.status}: its code is needed only while the return is requested or approved.",
                extra={"return_status": ret.status},
            )
        now = now or clock.now()
        code_reminders_per_email.record_failure([email_bucket(_REMINDERS, ret.buyer.email)], now=now)
        return_event_append(ret=ret, actor=actor, action=CODE_RESENT_EVENT, at=now)
        _mail_after_response([_code_mail([ret], resent=True)])
    return ret


# The timeline's entry for a carrier's tracking scan that moved no status (from = to).
TRACKING_EVENT = "tracking"


def return_tracking_record(
    *,
    ret: Return,
    actor: Actor,
    at: datetime,
    data: dict[str, Any],
    tracking_number: str | None = None,
    delivered_to_seller_at: datetime | None = None,
) -> ReturnEvent:
    """Record a carrier's tracking scan that changes no status: a ``tracking`` event with ``data``,
    and with it the return's number (``tracking_number``, on a return that has none) or the
    delivery to the seller (``delivered_to_seller_at``, which starts the receive clock, so the
    deadline is computed again here).

    The caller holds the return's row lock, in the transaction that took in the scan.
    """
    changed = ["updated_at"]
    if tracking_number is not None and tracking_number != ret.tracking_number:
        assert not ret.tracking_number, "a return's number is set once; a mismatch is the caller's 409"
        ret.tracking_number = tracking_number
        changed.append("tracking_number")
    if delivered_to_seller_at is not None:
        ret.delivered_to_seller_at = delivered_to_seller_at
        deadline = lifecycle.next_deadline(selectors.return_facts(ret))
        ret.due_at, ret.due_action = (deadline.at, deadline.action) if deadline else (None, "")
        changed += ["delivered_to_seller_at", "due_at", "due_action"]
    ret.updated_at = at
    ret.save(update_fields=changed)
    return return_event_append(ret=ret, actor=actor, action=TRACKING_EVENT, at=at, data=data)
