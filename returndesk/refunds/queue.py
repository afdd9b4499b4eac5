"""The refunds that wait for a person: customer service's queue (``/agent/refunds``).

A refund needs attention while one of its transactions is held (above its seller's
``hold_refunds_above``), failed at the gateway, or a manual payout not yet confirmed. Read only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q

from returndesk.core.actors import Actor
from returndesk.core.pagination import cursor_decode, cursor_encode
from returndesk.refunds.domain.states import Awaiting, TransactionStatus
from returndesk.refunds.models import Refund, RefundLine, RefundTransaction
from returndesk.returns.models import ReturnLine
from returndesk.returns.selectors import visible_returns

NEEDS_ATTENTION = Q(status__in=[TransactionStatus.HELD, TransactionStatus.FAILED]) | Q(
    status=TransactionStatus.PENDING, awaiting=Awaiting.CONFIRMATION
)


def refunds_needing_attention(
    *, actor: Actor, limit: int, cursor: str | None = None
) -> tuple[list[Refund], str | None]:
    """A page of the refunds of returns ``actor`` can see that need attention, oldest first, and
    the cursor of the next page (None on the last). Five queries whatever the page size: the
    refunds with their return, seller and buyer joined; their lines, the returns' lines with their
    order lines, and the transactions with their payments, prefetched."""
    waiting = RefundTransaction.objects.filter(NEEDS_ATTENTION, refund=OuterRef("pk"))
    refunds = Refund.objects.filter(Exists(waiting), return_request__in=visible_returns(actor))
    filters = ("refund-queue",)
    if cursor:
        created_at, pk = cursor_decode(cursor, filters=filters)
        refunds = refunds.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk))
    page = list(
        refunds.select_related("return_request__seller", "return_request__buyer", "return_request__order")
        .prefetch_related(
            Prefetch("lines", queryset=RefundLine.objects.order_by("id")),
            Prefetch(
                "return_request__lines",
                queryset=ReturnLine.objects.select_related("order_line").order_by("id"),
            ),
            Prefetch("transactions", queryset=RefundTransaction.objects.select_related("payment").order_by("id")),
        )
        .order_by("created_at", "id")[: limit + 1]
    )
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].created_at, page[limit - 1].pk, filters=filters)
    return page, None
