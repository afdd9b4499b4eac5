"""Everything that changes drop-off points and hands parcels over.

``return_handover`` is the one way a return's parcel reaches a carrier: the carrier's API
(``POST /dropoffs``), the counter page and an ``accepted`` tracking event all call it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet, Value
from django.utils.translation import gettext as _

from returndesk.core import clock
from returndesk.core.actors import Actor, ActorKind, Role
from returndesk.core.errors import Forbidden, RateLimited, ValidationFailed
from returndesk.core.locks import locked
from returndesk.core.orm import rows_known
from returndesk.core.ratelimit import LimitCheck
from returndesk.core.sql import fetch_all, queue_insert, quoted_table, row_to_instances, select_columns
from returndesk.core.transactions import after_commit, doomed, unit_of_work
from returndesk.dropoffs.domain.tracking_events import CHANGES, Effect, TrackingStatus, effect_of, too_far_ahead
from returndesk.dropoffs.errors import NotAcceptableAtCounter, UnknownPoint
from returndesk.dropoffs.locks import tracking_number_lock
from returndesk.dropoffs.models import DropoffPoint, Receipt, TrackingEvent
from returndesk.labels import selectors as labels_selectors
from returndesk.labels.domain import qr
from returndesk.labels.errors import QrExpired, QrInvalid
from returndesk.marketplace.models import Buyer, OrderLine
from returndesk.returns import selectors as returns_selectors
from returndesk.returns import services as returns_services
from returndesk.returns.domain import codes, lifecycle, tracking
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Action, Status
from returndesk.returns.domain.verification import FAILURES, Result, Verdict, verdict_by_status, verdict_for
from returndesk.returns.errors import TrackingMismatch
from returndesk.returns.models import Return, ReturnLine

# The anomaly an offline counter's handover records when the code turns out not to be valid at
# the time the counter accepted the parcel (registered in ``DropoffsConfig.ready``).
OFFLINE_MISMATCH = "offline_mismatch"
# Where the anomalies a handover finds come from (``ReturnAnomaly.source``).
SOURCE = Action.HANDOVER.value
ANOMALY_EVENT = "anomaly"


# --- Drop-off points ----------------------------------------------------------------------------


def dropoff_point_register(
    *, actor: Actor, point_id: str, name: str, address: dict[str, Any], active: bool = True, now: datetime | None = None
) -> tuple[DropoffPoint, bool]:
    """Register one of the caller's carrier's drop-off points, or update it: (point, created).

    Carrier keys only (403 ``forbidden``). The point's row is locked while it changes; two
    registrations of a new id racing insert once, the second updating what the first wrote.
    """
    if actor.kind is not ActorKind.CARRIER or not actor.carrier:
        raise Forbidden("Only a carrier key registers drop-off points.")
    fields = {"name": name, "address": address, "active": active}
    for attempt in range(2):
        try:
            with transaction.atomic():
                now = now or clock.now()
                point = locked(DropoffPoint.objects.filter(carrier=actor.carrier, point_id=point_id)).first()
                if point is not None:
                    for column, value in fields.items():
                        setattr(point, column, value)
                    point.updated_at = now
                    point.save(update_fields=[*fields, "updated_at"])
                    return point, False
                point = DropoffPoint.objects.create(
                    carrier=actor.carrier, point_id=point_id, created_at=now, updated_at=now, **fields
                )
                return point, True
        except IntegrityError:
            # Another registration of the same new id committed first: update the row it wrote.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _unknown_point(carrier: str, point_id: str) -> UnknownPoint:
    return UnknownPoint(
        f"Carrier {carrier!r} has no active drop-off point {point_id!r}: register it with POST /dropoff-points.",
        errors=[{"loc": ["body", "payload", "point_id"], "msg": "unknown or inactive point", "type": "unknown_point"}],
    )


def _point_active(*, carrier: str, point_id: str) -> DropoffPoint:
    """The carrier's active point ``point_id``, or 422 ``unknown_point``."""
    point = DropoffPoint.objects.filter(carrier=carrier, point_id=point_id, active=True).first()
    if point is None:
        raise _unknown_point(carrier, point_id)
    return point


# --- The label's QR at the counter ---------------------------------------------------------------


def label_qr_read(*, payload: str, code: str | None = None, at: datetime | None = None) -> qr.QrPayload:
    """The fields of a label's QR payload signed by a key published at ``at`` (now unless told),
    or 422 ``qr_invalid`` (malformed, unknown key, bad signature; or, given ``code``, a payload
    for another return). An expired payload is read all the same: whether its code may still be
    accepted is the verifier's to say, judged at ``at``."""
    at = at or clock.now()
    try:
        fields = qr.verify(payload, public_keys=labels_selectors.qr_public_keys(now=at), now=at)
    except QrExpired as expired:
        fields = expired.payload
    if code is not None and fields.code != codes.normalise(code):
        raise QrInvalid(
            "The QR payload is for another return than the code given.",
            errors=[
                {"loc": ["body", "payload", "offline", "qr"], "msg": "names another return code", "type": "qr_invalid"}
            ],
        )
    return fields


# --- The handover -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Locked:
    """The return a handover locked, with its lines, what they weigh and who bought it."""

    ret: Return
    expected_weight_g: int | None
    buyer_external_id: str
    buyer_email: str


@functools.cache
def _rows_sql(vendor: str, *, with_check: bool) -> str:
    """Lock the return with this code and read it with its lines, their weights and its buyer in
    one statement; with a failure check, the code compared with is null at the limit, so that no
    return is read or locked."""
    lock = " FOR NO KEY UPDATE OF r" if connection.features.has_select_for_update else ""
    code = "CASE WHEN (SELECT n FROM failures) < %s THEN %s END" if with_check else "%s"
    return (
        f"SELECT {select_columns(Return, 'r')}, {select_columns(ReturnLine, 'rl')}, ol.weight_g,"  # noqa: S608
        f" b.external_id, b.email FROM {quoted_table(Return)} r"
        f" JOIN {quoted_table(ReturnLine)} rl ON rl.return_request_id = r.id"
        f" JOIN {quoted_table(OrderLine)} ol ON ol.id = rl.order_line_id"
        f" JOIN {quoted_table(Buyer)} b ON b.id = r.buyer_id"
        f" WHERE r.code = {code} ORDER BY rl.id{lock}"
    )


def _lock_return(
    code: str, check: LimitCheck | None, *, carrier: str, point_id: str | None
) -> tuple[int | None, DropoffPoint | None, _Locked | None]:
    """In one round trip: the failure count ``check`` read (None without one), the carrier's
    active point ``point_id`` (None when it has none), and the locked return behind ``code`` (None
    when there is none, or the check's limit is reached)."""
    rows_sql = _rows_sql(connection.vendor, with_check=check is not None)
    point_join = f"LEFT JOIN {quoted_table(DropoffPoint)} p ON p.carrier = %s AND p.point_id = %s AND p.active = %s"
    point_params: list[Any] = [carrier, point_id or "", True]
    point_columns = select_columns(DropoffPoint, "p")
    params: list[Any]
    if check is None:
        sql = (
            f"SELECT NULL, {point_columns}, f.* FROM (SELECT 1 AS one) anchor"  # noqa: S608
            f" {point_join} LEFT JOIN ({rows_sql}) f ON 1 = 1"
        )
        params = [*point_params, code]
    else:
        sql = (
            f"WITH failures AS (SELECT {check.count_sql} AS n)"  # noqa: S608
            f" SELECT failures.n, {point_columns}, f.* FROM failures {point_join} LEFT JOIN ({rows_sql}) f ON 1 = 1"
        )
        params = [*check.params, *point_params, check.limit, code]
    rows = fetch_all(sql, params)
    failures = None if rows[0][0] is None else int(rows[0][0])
    point_width = len(DropoffPoint._meta.concrete_fields)
    point = None
    if rows[0][1] is not None:
        (found_point,) = row_to_instances(rows[0][1 : 1 + point_width], DropoffPoint)
        assert isinstance(found_point, DropoffPoint)
        point = found_point
    found = [row[1 + point_width :] for row in rows if row[1 + point_width] is not None]
    if not found:
        return failures, point, None
    return_width, line_width = len(Return._meta.concrete_fields), len(ReturnLine._meta.concrete_fields)
    ret = row_to_instances(found[0][:return_width], Return)[0]
    assert isinstance(ret, Return)
    lines: list[ReturnLine] = []
    weights: list[int] = []
    for row in found:
        line = row_to_instances(row[return_width : return_width + line_width], ReturnLine)[0]
        assert isinstance(line, ReturnLine)
        lines.append(line)
        weight = row[return_width + line_width]
        if weight is not None:
            weights.append(int(weight) * line.quantity)
    rows_known(ret, lines=lines)
    buyer_external_id, buyer_email = found[0][return_width + line_width + 1 :]
    expected = sum(weights) if len(weights) == len(lines) else None
    return failures, point, _Locked(ret, expected, buyer_external_id, buyer_email)


def _verdict_at(ret: Return, *, ship_by: datetime | None, at: datetime) -> Verdict:
    """The verifier's verdict on ``ret``'s code at ``at``, a counter's offline acceptance or a
    carrier's scan, which may lie in the past: before an approved return was approved (or approved
    again after a return to sender), by the status it had then (awaiting approval; used, its
    parcel then with the carrier). Any other status refuses a handover whenever it is judged."""
    if ret.status == Status.APPROVED and at < ret.status_since:
        before = returns_selectors.status_before(ret)
        if before is not None:
            return verdict_by_status(before, parcel_recorded=False, ship_by=None, now=at)
    return verdict_by_status(Status(ret.status), parcel_recorded=ret.parcel_recorded, ship_by=ship_by, now=at)


def _receipt_id() -> str:
    """A receipt's public id: "RC" and 80 random bits in base32 (16 characters)."""
    return "RC" + base64.b32encode(secrets.token_bytes(10)).decode()


class _Refused(Exception):
    """A verdict other than ``valid``, carried out of the handover's transaction so that it rolls back."""

    def __init__(self, verdict: Verdict, *, suggestions: list[str] | None = None, return_pk: int | None = None) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict
        self.suggestions = suggestions or []
        self.return_pk = return_pk


def return_handover(
    *,
    actor: Actor,
    code: str,
    carrier: str,
    point_id: str | None,
    tracking_number: str = "",
    weight_g: int | None = None,
    accepted_at: datetime | None = None,
    offline: bool = False,
    count_failures: bool = True,
    mail_buyer: bool = False,
    tracking_event: dict[str, Any] | None = None,
    honour_until: datetime | None = None,
    now: datetime | None = None,
) -> Receipt:
    """Hand a return's parcel over to ``carrier`` (at its point ``point_id``): the return goes
    ``in_transit`` and the receipt is written, the return's current one.

    The row is locked and judged here, as the verifier judges it at ``accepted_at`` (the time
    the counter took the parcel; now unless told): any verdict but ``valid`` is 409
    ``not_acceptable_at_counter`` and changes nothing. Malformed, mistyped, unknown codes and
    wrong items count as failed look-ups for the caller's key and the (carrier, point), as in
    the verifier (``count_failures=False`` for a carrier's tracking event); past the limit, 429
    ``rate_limited`` before the code is read. A point the carrier has not registered, or set
    inactive, is 422 ``unknown_point``. An ``offline`` handover refused records an
    ``offline_mismatch`` anomaly that outlasts the refusal. A parcel weighing under
    ``EMPTY_BOX_RATIO`` of its lines' weight (all known) records ``empty_box``; the handover
    stands. ``mail_buyer`` mails the buyer the receipt after commit, as proof of drop-off.
    ``honour_until`` is an offline counter's label's ``exp``: accepted after it, the code is
    judged expired.

    A ``tracking_number`` (normalised; 422 ``bad_check_digit`` or ``validation_error`` by shape,
    ``returns.domain.tracking``) is taken under its lock (``dropoffs.locks``); one already on another
    return is 409 ``tracking_mismatch``. Tracking events that came with it before any return had
    it are applied once it is recorded, oldest scan first, unless the handover is itself a
    tracking event's (``tracking_event``: that event, shown in the handover's event as ``tracking``;
    ``tracking_event_record`` applies the waiting ones then).

    At a registered point without an anomaly: BEGIN, the return locked with its lines, the point
    and the failure count (one statement), its update, its event, the receipt, COMMIT. With an
    Idempotency-Key on PostgreSQL, the update, the event, the receipt and the key's record are one
    statement (``core.sql.writes_queued``).
    """
    lifecycle.ensure_role(Action.HANDOVER, actor.role)
    # Stored and matched normalised; a wrong check digit is 422 bad_check_digit.
    tracking_number = tracking.checked(tracking_number) if tracking_number else ""
    checked_at = now or clock.now()
    buckets = returns_services.verify_buckets(actor, point_id) if count_failures else []
    try:
        return _handover(
            actor=actor,
            code=code,
            carrier=carrier,
            point_id=point_id,
            tracking_number=tracking_number,
            weight_g=weight_g,
            accepted_at=accepted_at,
            offline=offline,
            buckets=buckets,
            mail_buyer=mail_buyer,
            tracking_event=tracking_event,
            honour_until=honour_until,
            now=now,
            checked_at=checked_at,
        )
    except _Refused as refused:
        _refuse(refused, actor=actor, buckets=buckets, offline=offline, accepted_at=accepted_at, now=now or checked_at)
    raise AssertionError("unreachable")


def _handover(
    *,
    actor: Actor,
    code: str,
    carrier: str,
    point_id: str | None,
    tracking_number: str,
    weight_g: int | None,
    accepted_at: datetime | None,
    offline: bool,
    buckets: list[str],
    mail_buyer: bool,
    tracking_event: dict[str, Any] | None,
    honour_until: datetime | None,
    now: datetime | None,
    checked_at: datetime,
) -> Receipt:
    canonical = codes.normalise(code)
    well_formed = codes.shape(canonical) is codes.Shape.VALID
    check = returns_services.verify_failures.check_sql(buckets, now=checked_at) if buckets and well_formed else None
    with unit_of_work():
        if tracking_number:
            tracking_number_lock(tracking_number)
        if buckets and check is None:
            returns_services.verify_failures.ensure_allowed(buckets, now=checked_at)
        if not well_formed:
            # Malformed or mistyped: known before any lock; a typo's suggestions are the verifier's.
            if point_id:
                _point_active(carrier=carrier, point_id=point_id)
            verification = returns_selectors.code_verify(actor=actor, raw_code=code, now=checked_at)
            raise _Refused(verification.verdict, suggestions=verification.suggestions)
        failures, point, found = _lock_return(canonical, check, carrier=carrier, point_id=point_id)
        if point_id and point is None:
            raise _unknown_point(carrier, point_id)
        if failures is not None:
            returns_services.verify_failures.ensure_below_limit(failures, now=checked_at)
        if found is None:
            raise _Refused(verdict_for(Result.UNKNOWN))
        ret = found.ret
        now = now or clock.now()
        accepted_at = accepted_at or now
        ship_by = ret.ship_by if honour_until is None or ret.ship_by is None else min(ret.ship_by, honour_until)
        verdict = _verdict_at(ret, ship_by=ship_by, at=accepted_at)
        if verdict.result is not Result.VALID:
            raise _Refused(verdict, return_pk=ret.pk)
        waiting = _number_claims(tracking_number, ret) if tracking_number else []
        receipt = Receipt(
            receipt_id=_receipt_id(),
            return_request=ret,
            at=now,
            accepted_at=accepted_at,
            point=point,
            carrier=carrier,
            tracking_number=tracking_number,
            weight_g=weight_g,
            offline=offline,
            current=True,
        )
        empty_box = (
            weight_g is not None
            and found.expected_weight_g is not None
            and weight_g < settings.RETURNDESK_EMPTY_BOX_RATIO * found.expected_weight_g
        )

        def hand_over(ret: Return, at: datetime) -> None:
            returns_services.parcel_record(ret, at)
            if tracking_number:
                ret.tracking_number = tracking_number

        data: dict[str, Any] = {"receipt_id": receipt.receipt_id, "carrier": carrier, "point_id": point_id}
        data |= {"tracking_number": tracking_number} if tracking_number else {}
        data |= {"weight_g": weight_g} if weight_g is not None else {}
        data |= {"offline": True, "accepted_at": accepted_at.isoformat()} if offline else {}
        data |= {"tracking": tracking_event} if tracking_event is not None else {}
        if empty_box:
            data["anomalies"] = [{"code": Anomaly.EMPTY_BOX, "line": None}]
        recorded = actor.for_buyer(found.buyer_external_id) if actor.role is Role.PLATFORM else actor
        returns_services.return_transition_locked(
            ret=ret, actor=recorded, action=Action.HANDOVER, now=now, judged_at=accepted_at, data=data, apply=hand_over
        )
        queue_insert([receipt])
        if empty_box:
            returns_services.return_anomaly_record(
                ret=ret,
                code=Anomaly.EMPTY_BOX,
                at=now,
                source=SOURCE,
                note=f"Weighed {weight_g} g at the counter; its lines weigh {found.expected_weight_g} g.",
                data={"weight_g": weight_g, "expected_weight_g": found.expected_weight_g},
            )
        if waiting and tracking_event is None:
            tracking_events_apply_pending(ret=ret, number=tracking_number, now=now, waiting=waiting)
        if mail_buyer and found.buyer_email:
            after_commit(_receipt_mail, found.buyer_email, receipt, ret.code)
    return receipt


def _refuse(
    refused: _Refused,
    *,
    actor: Actor,
    buckets: list[str],
    offline: bool,
    accepted_at: datetime | None,
    now: datetime,
) -> None:
    """Raise the refusal, after what must outlast it: the failed look-up's count and an offline
    counter's ``offline_mismatch``, in a transaction of their own (``lasting_effects``, which
    ``core.idempotency`` redoes once when its own transaction rolls them back). Inside an
    all-or-nothing caller's transaction, which the refusal dooms (``core.transactions``), that
    caller does them after its rollback instead; a failure that concurrent ones pushed past the
    limit is then still refused as 409, not 429."""
    verdict = refused.verdict
    counted = bool(buckets) and verdict.result in FAILURES
    error: NotAcceptableAtCounter | RateLimited = NotAcceptableAtCounter(verdict, suggestions=refused.suggestions)
    if not doomed():
        with transaction.atomic():
            if counted:
                try:
                    returns_services.verify_failures.record_failure(buckets, now=now)
                except RateLimited as limited:
                    # Concurrent failures took the last ones allowed: this one is refused as 429.
                    error = limited
            if offline and refused.return_pk is not None:
                _offline_mismatch_record(refused.return_pk, actor, verdict, accepted_at or now, now)
    effects: list[Callable[[], None]] = []
    if counted:
        effects.append(partial(_failure_count, buckets, now))
    if offline and refused.return_pk is not None:
        effects.append(partial(_offline_mismatch_record, refused.return_pk, actor, verdict, accepted_at or now, now))
    error.lasting_effects = tuple(effects)
    raise error


def _failure_count(buckets: list[str], now: datetime) -> None:
    """Count a failed look-up again after a rollback undid it; the refusal is already decided."""
    with contextlib.suppress(RateLimited):
        returns_services.verify_failures.record_failure(buckets, now=now)


def _offline_mismatch_record(
    return_pk: int, actor: Actor, verdict: Verdict, accepted_at: datetime, now: datetime
) -> None:
    """Record that an offline counter accepted a parcel whose code was not valid then."""
    with transaction.atomic():
        ret = locked(Return.objects.filter(pk=return_pk)).first()
        if ret is None:
            return
        note = f"Accepted offline at {accepted_at.isoformat()}, when the code was {verdict.result}."
        returns_services.return_anomaly_record(
            ret=ret,
            code=OFFLINE_MISMATCH,
            at=now,
            source=SOURCE,
            note=note,
            data={"result": verdict.result.value, "accepted_at": accepted_at.isoformat()},
        )
        returns_services.return_event_append(
            ret=ret,
            actor=actor,
            action=ANOMALY_EVENT,
            at=now,
            data={
                "anomalies": [{"code": OFFLINE_MISMATCH, "line": None}],
                "result": verdict.result.value,
                "accepted_at": accepted_at.isoformat(),
            },
        )


def _receipt_mail(address: str, receipt: Receipt, code: str) -> None:
    send_mail(
        subject=_("Your return parcel was handed over"),
        message=_(
            "Your return %(code)s was handed over to %(carrier)s on %(accepted_at)s UTC.\n\n"
            "Receipt: %(receipt)s\n%(tracking)s\nKeep this message as proof of drop-off."
        )
        % {
            "code": codes.display(code),
            "carrier": receipt.carrier,
            "accepted_at": f"{receipt.accepted_at:%Y-%m-%d %H:%M}",
            "receipt": receipt.receipt_id,
            "tracking": _("Tracking number: %(number)s\n") % {"number": receipt.tracking_number}
            if receipt.tracking_number
            else "",
        },
        from_email=None,
        recipient_list=[address],
    )


# --- Tracking events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingEventTaken:
    """The answer to a tracking event: whether it found its return, and whether it came before."""

    event_id: str
    matched: bool
    duplicate: bool


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"loc": ["body", field], "msg": message, "type": "invalid"}])


def tracking_event_record(
    *,
    actor: Actor,
    event_id: str,
    tracking_number: str,
    status: TrackingStatus,
    occurred_at: datetime,
    code: str | None = None,
    carrier: str | None = None,
    now: datetime | None = None,
) -> TrackingEventTaken:
    """Take in a carrier's scan of a parcel, once per (carrier, ``event_id``).

    Carrier keys only (403 ``forbidden``); the event is the key's carrier's (``carrier``, when
    given, must name it). The number is checked by shape (422 ``bad_check_digit`` or
    ``validation_error``), ``occurred_at`` may not be over five minutes ahead (422). A repeat of
    an event id changes nothing (``duplicate``). The return is found by ``code`` when given (its
    number set if it has none; another number is 409 ``tracking_mismatch``, as is a number
    already on another return), else by number; an event finding none is kept, unapplied, until a
    handover records its number. What the event does is ``domain.tracking_events.effect_of``'s
    answer, applied by ``_apply``; it shows once on the return's timeline.
    """
    if actor.kind is not ActorKind.CARRIER:
        raise Forbidden("Only a carrier key reports tracking events.")
    number = tracking.checked(tracking_number)
    if carrier is not None and carrier != actor.carrier:
        raise _invalid("carrier", f"This key reports the parcels of carrier {actor.carrier!r} only.")
    canonical = None
    if code is not None:
        canonical = codes.normalise(code)
        if codes.shape(canonical) is not codes.Shape.VALID:
            raise _invalid("code", "Not a return code: 13 letters and digits with a valid check symbol.")
    now = now or clock.now()
    if too_far_ahead(occurred_at, now=now):
        raise _invalid("occurred_at", "A scan cannot happen more than 5 minutes in the future.")
    with transaction.atomic():
        tracking_number_lock(number)
        seen = TrackingEvent.objects.filter(carrier=actor.carrier, event_id=event_id).first()
        if seen is not None:
            return TrackingEventTaken(event_id, matched=seen.return_request_id is not None, duplicate=True)
        ret = _return_for(code=canonical, number=number)
        if ret is not None and ret.tracking_number != number and (ret.tracking_number or _number_taken(number, ret)):
            raise TrackingMismatch(
                f"Return {ret.code_display} has tracking number {ret.tracking_number}, not {number}."
                if ret.tracking_number
                else f"Tracking number {number} is already on another return."
            )
        try:
            with transaction.atomic():
                event = TrackingEvent.objects.create(
                    carrier=actor.carrier,
                    event_id=event_id,
                    tracking_number=number,
                    status=status,
                    occurred_at=occurred_at,
                    code=canonical or "",
                    return_request=ret,
                    received_at=now,
                )
        except IntegrityError:
            # The same event with another number, taken meanwhile under that number's lock.
            seen = TrackingEvent.objects.get(carrier=actor.carrier, event_id=event_id)
            return TrackingEventTaken(event_id, matched=seen.return_request_id is not None, duplicate=True)
        if ret is None:
            return TrackingEventTaken(event_id, matched=False, duplicate=False)
        had_number = bool(ret.tracking_number)
        ret = _apply(event, ret, actor=actor, now=now)
        if not had_number and ret.tracking_number == number:
            tracking_events_apply_pending(ret=ret, number=number, now=now)
    return TrackingEventTaken(event_id, matched=True, duplicate=False)


def _return_for(*, code: str | None, number: str) -> Return | None:
    """The return an event names, locked: by code when given, else by number (the newest, should
    two ever share one)."""
    found = Return.objects.filter(code=code) if code is not None else Return.objects.filter(tracking_number=number)
    return locked(found.select_related("buyer", "seller", "order").order_by("-created_at", "-id")).first()


def _number_taken(number: str, ret: Return) -> bool:
    return Return.objects.filter(tracking_number=number).exclude(pk=ret.pk).exists()


def _waiting_events(number: str) -> QuerySet[TrackingEvent]:
    return TrackingEvent.objects.filter(tracking_number=number, applied=False, return_request=None)


def _number_claims(number: str, ret: Return) -> list[TrackingEvent]:
    """The tracking events waiting for ``number``, oldest scan first, or 409 ``tracking_mismatch``
    when another return has the number. One statement for both (a handover counts its
    statements); the events themselves are read only when some wait."""
    other_returns = Return.objects.filter(tracking_number=number).exclude(pk=ret.pk).values_list(Value("r"), "pk")
    claims = list(other_returns.union(_waiting_events(number).values_list(Value("e"), "pk"), all=True))
    if any(kind == "r" for kind, _pk in claims):
        raise TrackingMismatch(f"Tracking number {number} is already on another return.")
    if not claims:
        return []
    return list(TrackingEvent.objects.filter(pk__in=[pk for _kind, pk in claims]).order_by("occurred_at", "id"))


def tracking_events_apply_pending(
    *, ret: Return, number: str, now: datetime, waiting: list[TrackingEvent] | None = None
) -> None:
    """Apply to ``ret`` the events that found no return with ``number`` when they came (``waiting``,
    read here unless given), oldest scan first: a handover (or a code-matched event) has just
    recorded the number on ``ret``. Each acts as its carrier.

    The caller holds ``number``'s lock (``dropoffs.locks``), then the return's, in one transaction.
    """
    if waiting is None:
        waiting = list(_waiting_events(number).order_by("occurred_at", "id"))
    for event in waiting:
        ret = _apply(event, ret, actor=_carrier(event.carrier), now=now)


def _carrier(carrier: str) -> Actor:
    """Who an event applied later acts as: its carrier (the key that sent it is not kept)."""
    return Actor(kind=ActorKind.CARRIER, id=carrier, carrier=carrier)


def tracking_event_data(event: TrackingEvent) -> dict[str, Any]:
    """An event as its return's timeline shows it."""
    return {
        "event_id": event.event_id,
        "carrier": event.carrier,
        "status": event.status,
        "tracking_number": event.tracking_number,
        "occurred_at": event.occurred_at.isoformat(),
    }


def _last_change(ret: Return) -> datetime | None:
    changes = TrackingEvent.objects.filter(return_request=ret, effect__in=sorted(CHANGES))
    last: datetime | None = changes.aggregate(last=Max("occurred_at"))["last"]
    return last


def _apply(event: TrackingEvent, ret: Return, *, actor: Actor, now: datetime) -> Return:
    """Do what ``event`` does to ``ret`` (locked), record it on the timeline once, and mark the
    event applied with its effect. Answers the return as it now is."""
    last_change = _last_change(ret)
    effect = effect_of(
        event=TrackingStatus(event.status),
        status=Status(ret.status),
        occurred_at=event.occurred_at,
        last_change=last_change,
    )
    data = tracking_event_data(event)
    if last_change is not None and event.occurred_at < last_change:
        # Scanned before the scan that last moved the return: history only.
        data["stale"] = True
    # Found by code, the return takes the event's number when it has none.
    number = event.tracking_number if not ret.tracking_number else None
    match effect:
        case Effect.HANDOVER:
            ret, effect = _hand_over(event, ret, actor=actor, now=now, data=data, number=number)
        case Effect.DELIVERY:
            returns_services.return_tracking_record(
                ret=ret,
                actor=actor,
                at=now,
                data=data,
                tracking_number=number,
                delivered_to_seller_at=event.occurred_at,
            )
        case Effect.RETURN_TO_SENDER:
            ret = _return_to_sender(ret, actor=actor, now=now, data=data)
        case Effect.TIMELINE:
            returns_services.return_tracking_record(ret=ret, actor=actor, at=now, data=data, tracking_number=number)
    event.return_request, event.applied, event.effect = ret, True, effect
    event.save(update_fields=["return_request", "applied", "effect"])
    return ret


def _hand_over(
    event: TrackingEvent, ret: Return, *, actor: Actor, now: datetime, data: dict[str, Any], number: str | None
) -> tuple[Return, Effect]:
    """An ``accepted`` scan hands an approved return over when it happened by ``ship_by``, judged
    by ``return_handover`` at the scan's time; any other verdict goes on the timeline with its
    ``result`` and changes nothing else (no failed look-up is counted)."""
    verdict = _verdict_at(ret, ship_by=ret.ship_by, at=event.occurred_at)
    if verdict.result is Result.VALID:
        try:
            receipt = return_handover(
                actor=actor,
                code=ret.code,
                carrier=event.carrier,
                point_id=None,
                tracking_number=event.tracking_number,
                accepted_at=event.occurred_at,
                count_failures=False,
                tracking_event=data,
                now=now,
            )
        except NotAcceptableAtCounter as refused:
            verdict = refused.verdict
        else:
            return receipt.return_request, Effect.HANDOVER
    returns_services.return_tracking_record(
        ret=ret, actor=actor, at=now, data=data | {"result": verdict.result.value}, tracking_number=number
    )
    return ret, Effect.TIMELINE


def _return_to_sender(ret: Return, *, actor: Actor, now: datetime, data: dict[str, Any]) -> Return:
    """The carrier brings the parcel back to the buyer: the return is approved again with a new
    ``ship_by``, without a number or a delivery, and its handover's receipt is no longer current."""

    def send_back(ret: Return, at: datetime) -> None:
        ret.ship_by = lifecycle.ship_by_after(at, returns_selectors.return_policy(ret))
        ret.tracking_number, ret.delivered_to_seller_at = "", None
        Receipt.objects.filter(return_request=ret, current=True).update(current=False)

    returns_services.return_transition_locked(
        ret=ret, actor=actor, action=Action.RETURN_TO_SENDER, now=now, data={"tracking": data}, apply=send_back
    )
    return ret
