"""Everything receiving writes: a receipt at the seller (the extended ``receive``) and parcels
recorded without a known return, then matched to one.

A receipt is the lifecycle's ``receive``, through ``returns.services.return_transition``: the
return's row is locked, the transition checked and its event written, and in the same
transaction the receipt (``Receiving``), each anomaly (a ``ReturnAnomaly`` row with an
``anomaly`` event) and, for a match, the parcel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from returndesk.core import clock
from returndesk.core.access import access_require
from returndesk.core.actors import Actor
from returndesk.core.locks import locked
from returndesk.core.orm import rows_known
from returndesk.receiving.domain import tally
from returndesk.receiving.domain.parcels import ParcelStatus, parcel_id_generate, parcel_id_normalise
from returndesk.receiving.domain.tally import Found, Reported, Scan
from returndesk.receiving.errors import ParcelAlreadyMatched, ParcelNotFound, ScanMismatch
from returndesk.receiving.models import Parcel, Receiving
from returndesk.receiving.selectors import SELLERS, expected_lines, visible_parcels
from returndesk.returns import services as returns_services
from returndesk.returns.domain import codes, tracking
from returndesk.returns.domain.lifecycle import Action
from returndesk.returns.errors import LineNotInReturn
from returndesk.returns.models import Return, ReturnLine

# How often a freshly drawn parcel id may collide before we stop believing in chance.
_ID_ATTEMPTS = 5


@dataclass
class _Counted:
    """What a receipt's ``apply`` found under the return's lock, for the writes that follow it."""

    at: datetime | None = None
    tally: tally.Tally | None = None
    found: list[Found] = field(default_factory=list)
    lines: dict[str, ReturnLine] = field(default_factory=dict)


def receiving_record(
    *,
    code: str,
    actor: Actor,
    scan: str | None = None,
    scans: Sequence[Scan] | None = None,
    reported: Sequence[Reported] = (),
    note: str = "",
    parcel: str = "",
    now: datetime | None = None,
) -> Return:
    """Receive the return ``code`` names, recording what came out of the box.

    ``scan``, when given, is the code as scanned off the parcel and must name the same return
    (else 422 ``scan_mismatch``); ``scans`` the items scanned (None: everything arrived);
    ``reported`` the anomalies a person adds (a ``line`` not on the return is 422
    ``line_not_in_return``); ``note`` the receive event's reason; ``parcel`` the id of the parcel
    being matched, kept in the event's data. Each short or surplus line, each item on no line and
    each reported anomaly becomes a ``ReturnAnomaly`` with its ``anomaly`` event, all at the
    receive's time. The lifecycle's refusals are the transition's (404, 403
    ``forbidden_action``, 409 ``invalid_transition``), before anything is written.
    """
    counted = _Counted()
    data: dict[str, Any] = {}

    def count(ret: Return, at: datetime) -> None:
        # Under the lock, after the lifecycle allowed the receive: the scan is compared with a
        # return that exists and may be received, so a made-up code is 404 whatever was scanned.
        if scan is not None and not tally.scan_names_code(scan, ret.code):
            raise ScanMismatch(f"The scan {scan.strip()!r} is not the code {ret.code_display} of this return.")
        returns_services.parcel_record(ret, at)
        counted.lines = {line.order_line.external_id: line for line in ret.lines.all()}
        unknown = sorted({str(report.line) for report in reported if report.line is not None} - set(counted.lines))
        if unknown:
            raise LineNotInReturn(f"The return has no line {unknown[0]!r}.")
        counted.at, counted.tally = at, tally.tally(expected_lines(ret), scans)
        counted.found = tally.anomalies(counted.tally, reported)
        # The receive event says what the receipt found (return_transition appends it after apply).
        data.update(counted.tally.as_data())
        if counted.found:
            data["anomalies"] = [{"code": str(found.code), "line": found.line} for found in counted.found]
        if parcel:
            data["parcel"] = parcel

    with transaction.atomic():
        ret = returns_services.return_transition(
            code=code, actor=actor, action=Action.RECEIVE, now=now, reason=note, data=data, apply=count
        )
        assert counted.at is not None
        assert counted.tally is not None
        receipt = Receiving.objects.create(
            return_request=ret,
            at=counted.at,
            lines=[line.as_data() for line in counted.tally.lines],
            unmatched=[item.as_data() for item in counted.tally.unmatched],
        )
        for found in counted.found:
            _anomaly_record(ret, actor, found, counted)
    rows_known(ret, receivings=[receipt])
    return ret


def _anomaly_record(ret: Return, actor: Actor, found: Found, counted: _Counted) -> None:
    assert counted.at is not None
    returns_services.return_anomaly_record(
        ret=ret,
        code=found.code,
        at=counted.at,
        source=Action.RECEIVE,
        line=counted.lines[found.line] if found.line is not None else None,
        note=found.note,
        data=found.data,
    )
    returns_services.return_event_append(
        ret=ret,
        actor=actor,
        action=returns_services.ANOMALY_EVENT,
        at=counted.at,
        reason=found.note,
        data={"code": str(found.code), "line": found.line, **found.data},
    )


def parcel_create(
    *,
    actor: Actor,
    contents: str,
    tracking_number: str | None = None,
    sender_name: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Parcel:
    """Record a parcel that reached the caller's seller without a return anyone could name, to be
    matched later. ``tracking_number`` is checked by its shape and check digit (422
    ``validation_error`` / ``bad_check_digit``) and stored normalised. Sellers' people and keys
    only (403 ``forbidden``)."""
    access_require(actor, *SELLERS)
    assert actor.seller_id is not None
    number = tracking.checked(tracking_number) if tracking_number else ""
    for attempt in range(_ID_ATTEMPTS):
        public_id = parcel_id_generate()
        try:
            with transaction.atomic():
                return Parcel.objects.create(
                    public_id=public_id,
                    seller_id=actor.seller_id,
                    status=ParcelStatus.UNMATCHED,
                    tracking_number=number,
                    sender_name=sender_name.strip(),
                    contents=contents.strip(),
                    note=note.strip(),
                    recorded_at=now or clock.now(),
                    recorded_by_kind=actor.kind,
                    recorded_by_id=actor.id,
                )
        except IntegrityError:
            if attempt == _ID_ATTEMPTS - 1 or not Parcel.objects.filter(public_id=public_id).exists():
                raise
    raise AssertionError("unreachable")


def parcel_match(
    *,
    parcel_id: str,
    actor: Actor,
    code: str,
    scans: Sequence[Scan] | None = None,
    reported: Sequence[Reported] = (),
    note: str = "",
    now: datetime | None = None,
) -> Return:
    """Match an unmatched parcel to the return ``code`` names: receive that return as
    ``receiving_record`` does (same rules for ``scans``, ``reported``, ``note``) and mark the
    parcel matched, in one transaction.

    The parcel's row is locked first, so of concurrent matches one wins and the others find it
    matched: 409 ``parcel_already_matched``. A return that cannot be received refuses the match
    (409 ``invalid_transition``) and the parcel stays unmatched. Sellers' people and keys only
    (403 ``forbidden``); another seller's parcel 404 ``not_found``.
    """
    access_require(actor, *SELLERS)
    with transaction.atomic():
        # The parcel before the return it is matched to (core.locks' order).
        parcel = locked(visible_parcels(actor).filter(public_id=parcel_id_normalise(parcel_id))).first()
        if parcel is None:
            raise ParcelNotFound()
        if parcel.status == ParcelStatus.MATCHED:
            assert parcel.matched_return is not None
            matched = parcel.matched_return.code
            raise ParcelAlreadyMatched(
                f"Parcel {parcel.public_id} was matched to return {codes.display(matched)} already.",
                extra={"matched_return": matched},
            )
        ret = receiving_record(
            code=code, actor=actor, scans=scans, reported=reported, note=note, parcel=parcel.public_id, now=now
        )
        parcel.status, parcel.matched_return, parcel.matched_at = ParcelStatus.MATCHED, ret, ret.status_since
        parcel.save(update_fields=["status", "matched_return", "matched_at"])
    return ret
