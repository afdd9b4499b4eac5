"""Reading drop-off points and receipts, always through the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from returndesk.core.access import access_require
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.pagination import cursor_decode, cursor_encode
from returndesk.core.sql import Rows
from returndesk.dropoffs.errors import ReceiptNotFound
from returndesk.dropoffs.models import DropoffPoint, Receipt
from returndesk.returns.models import Return

# The attribute the return's answer reads its current receipt from (``dropoff``).
CURRENT_RECEIPTS = "current_receipts"


def dropoff_points_list(
    *, actor: Actor, limit: int, cursor: str | None = None
) -> tuple[list[DropoffPoint], str | None]:
    """A page of drop-off points, newest first, and the next page's cursor (None on the last).

    A carrier key sees its carrier's, the platform and agents every carrier's; anyone else 403
    ``forbidden``. One query whatever the page size.
    """
    access_require(actor, ActorKind.CARRIER, ActorKind.PLATFORM, ActorKind.AGENT)
    points: QuerySet[DropoffPoint] = DropoffPoint.objects.all()
    scope: tuple[str, ...] = ("points",)
    if actor.kind is ActorKind.CARRIER:
        points = points.filter(carrier=actor.carrier)
        scope = ("points", actor.carrier)
    if cursor:
        created_at, pk = cursor_decode(cursor, filters=scope)
        points = points.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    page = list(points.order_by("-created_at", "-id")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].created_at, page[limit - 1].pk, filters=scope)
    return page, None


def receipt_get_for_actor(*, receipt_id: str, actor: Actor) -> Receipt:
    """One receipt with its return and point, or 404 ``not_found``.

    A carrier key sees its carrier's receipts, a seller (key or staff) its returns', the platform
    and agents all; buyers 403 ``forbidden``. One query.
    """
    access_require(
        actor, ActorKind.CARRIER, ActorKind.SELLER_KEY, ActorKind.SELLER_USER, ActorKind.PLATFORM, ActorKind.AGENT
    )
    receipts = Receipt.objects.select_related("return_request", "point").filter(receipt_id=receipt_id)
    if actor.kind is ActorKind.CARRIER:
        receipts = receipts.filter(carrier=actor.carrier)
    elif actor.kind in (ActorKind.SELLER_KEY, ActorKind.SELLER_USER):
        assert actor.seller_id is not None
        receipts = receipts.filter(return_request__seller_id=actor.seller_id)
    found = receipts.first()
    if found is None:
        raise ReceiptNotFound(f"No receipt {receipt_id!r} is visible to you.")
    return found


def current_receipts_prefetch() -> Prefetch[Any]:
    """A return's current receipt (the handover it is in now) with its point: one query a page."""
    return Prefetch(
        "receipts",
        queryset=Receipt.objects.filter(current=True).select_related("point").order_by("-at", "-id"),
        to_attr=CURRENT_RECEIPTS,
    )


# ``current_receipts_prefetch`` in plain SQL, for the answer about one return (``returns.extensions.AnswerRead``,
# its parameters the return's pk and True).
CURRENT_RECEIPTS_ROWS = Rows(
    models=((Receipt, "r"), (DropoffPoint, "p")),
    source="FROM {} r LEFT JOIN {} p ON p.id = r.point_id WHERE r.return_request_id = %s AND r.current = %s",
    tables=(Receipt, DropoffPoint),
    order=("-r.at", "-r.id"),
)


def current_receipts_seed(ret: Return, found: list[list[tuple[Any, ...]]]) -> None:
    """Hand ``ret`` what ``CURRENT_RECEIPTS_ROWS`` read, as ``current_receipts_prefetch`` leaves it."""
    (rows,) = found
    for receipt, point in rows:
        receipt.return_request, receipt.point = ret, point
    setattr(ret, CURRENT_RECEIPTS, [receipt for receipt, _point in rows])


def return_current_receipt(ret: Return) -> Receipt | None:
    """The receipt of the handover ``ret`` is in now, read from ``current_receipts_prefetch``."""
    receipts: list[Receipt] = getattr(ret, CURRENT_RECEIPTS, None) or []
    return receipts[0] if receipts else None
