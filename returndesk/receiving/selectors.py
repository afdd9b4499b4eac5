"""Reading parcels, and finding the return a warehouse scan names, always in the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from returndesk.core.access import access_require, scope_to_actor
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.pagination import cursor_decode, cursor_encode
from returndesk.receiving.domain.parcels import ParcelStatus, parcel_id_normalise
from returndesk.receiving.domain.tally import ExpectedLine
from returndesk.receiving.errors import ParcelNotFound
from returndesk.receiving.models import Parcel, Receiving
from returndesk.returns.domain import codes, lifecycle, tracking
from returndesk.returns.domain.lifecycle import Action, Status
from returndesk.returns.models import Return
from returndesk.returns.selectors import visible_returns

# Who may read parcels: the seller's own people and keys, the platform, customer service.
PARCEL_READERS = (ActorKind.SELLER_KEY, ActorKind.SELLER_USER, ActorKind.PLATFORM, ActorKind.AGENT)
SELLERS = (ActorKind.SELLER_KEY, ActorKind.SELLER_USER)
# The statuses a parcel can be received from (the lifecycle's receive rule).
RECEIVABLE: frozenset[Status] = lifecycle.TABLE[Action.RECEIVE].sources


def visible_parcels(actor: Actor) -> QuerySet[Parcel]:
    """Every parcel ``actor`` may know of: a seller its own, the platform and agents all; anyone
    else 403 ``forbidden``."""
    access_require(actor, *PARCEL_READERS)
    return scope_to_actor(Parcel.objects.all(), actor)


def _answerable(parcels: QuerySet[Parcel]) -> QuerySet[Parcel]:
    return parcels.select_related("seller", "matched_return")


def parcel_get_for_actor(*, parcel_id: str, actor: Actor) -> Parcel:
    """One parcel by its id (any case), with its seller and matched return joined: one query; 404
    ``not_found`` for another seller's as for a missing one."""
    parcel = _answerable(visible_parcels(actor)).filter(public_id=parcel_id_normalise(parcel_id)).first()
    if parcel is None:
        raise ParcelNotFound()
    return parcel


def parcels_list(
    *, actor: Actor, status: ParcelStatus | None, limit: int, cursor: str | None = None
) -> tuple[list[Parcel], str | None]:
    """A page of parcels, newest recorded first, and the cursor of the next page (None on the
    last): one query whatever the page size (seller and matched return joined)."""
    parcels = visible_parcels(actor)
    if status is not None:
        parcels = parcels.filter(status=status)
    filters = ("parcels", status, actor.seller_id)
    if cursor:
        recorded_at, pk = cursor_decode(cursor, filters=filters)
        parcels = parcels.filter(Q(recorded_at__lt=recorded_at) | Q(recorded_at=recorded_at, pk__lt=pk))
    page = list(_answerable(parcels).order_by("-recorded_at", "-id")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].recorded_at, page[limit - 1].pk, filters=filters)
    return page, None


def return_code_for_scan(*, actor: Actor, text: str) -> str | None:
    """The code of the caller's return that a warehouse scan names, or None: the text as a return
    code, else as the parcel's tracking number, else as the order's number. Among several returns
    of one tracking or order number, a receivable one first, then the newest. At most three
    queries; anyone but a seller's people or keys 403 ``forbidden``."""
    access_require(actor, *SELLERS)
    text = text.strip()
    if not text:
        return None
    returns = visible_returns(actor)
    code = codes.normalise(text)
    if codes.shape(code) is codes.Shape.VALID and returns.filter(code=code).exists():
        return code
    for found in (returns.filter(tracking_number=tracking.normalise(text)), returns.filter(order__number=text)):
        candidates = list(found.order_by("-created_at", "-id").values_list("code", "status")[:20])
        if candidates:
            receivable = [code for code, status in candidates if status in RECEIVABLE]
            return (receivable or [candidates[0][0]])[0]
    return None


def receiving_of(ret: Return) -> dict[str, Any] | None:
    """What the return's latest receipt recorded, ``{at, lines, unmatched}``, or None before any:
    read from the ``receivings`` every answer about a return prefetches (the ``receiving``
    extension), so no query."""
    receivings: list[Receiving] = list(ret.receivings.all())
    if not receivings:
        return None
    latest = receivings[-1]
    return {"at": latest.at, "lines": latest.lines, "unmatched": latest.unmatched}


def expected_lines(ret: Return) -> list[ExpectedLine]:
    """The return's lines as a receipt counts them, from its prefetched lines (no query)."""
    return [
        ExpectedLine(line.order_line.external_id, line.order_line.sku, line.order_line.gtin, line.quantity)
        for line in ret.lines.all()
    ]


def receipt_lines(ret: Return) -> list[dict[str, Any]]:
    """The latest receipt's lines (``line``, ``expected``, ``scanned``, ``result``), each with its
    ``order_line``; empty when the return has no receipt (received by the clock, say). Reads
    what ``return_get_for_actor`` prefetched: no query."""
    receipt = receiving_of(ret)
    if receipt is None:
        return []
    order_lines = {line.order_line.external_id: line.order_line for line in ret.lines.all()}
    return [{**line, "order_line": order_lines.get(line["line"])} for line in receipt["lines"]]
