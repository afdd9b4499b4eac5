"""Customer service's refund queue (``/agent/refunds``): every refund with a transaction held above
its seller's limit, failed at the gateway, or paid out by hand and not yet confirmed, oldest first,
with Release, Confirm (paid another way), Retry and Cancel (with a Reason) on each transaction in the
state its button needs. Each posts to ``/agent/refunds/{id}/<action>`` and calls the service the
API's route calls; then back to the queue (303). A refusal is the queue with the problem, as the
API words it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from returndesk.core import clock
from returndesk.core.actors import Actor
from returndesk.core.errors import ReturndeskError
from returndesk.portals.common.refunds import FormButton, RefundPanel, TransactionModel, refund_panel
from returndesk.portals.common.views import AGENT, portal_view, render_problem
from returndesk.portals.common.words import RefundButton
from returndesk.portals.seller.forms import checked
from returndesk.portals.seller.money import given, refund_confirm_posted, refund_retry_posted
from returndesk.refunds import queue, transactions
from returndesk.refunds.domain.states import Awaiting, TransactionStatus
from returndesk.refunds.schemas import RefundCancelIn, RefundReleaseIn

QUEUE_PAGE = "portals/agent/refunds.html"
QUEUE_PATH = "/agent/refunds"
PER_PAGE = 50


def agent_buttons(transaction: TransactionModel) -> Sequence[FormButton]:
    """Release a held transaction; Confirm a manual payout, or a failed one paid another way;
    Retry a failed one; Cancel a held or failed one."""
    base = f"{QUEUE_PATH}/{transaction.refund_id}"
    status = TransactionStatus(transaction.status)
    names: list[RefundButton] = []
    if status is TransactionStatus.HELD:
        names = [RefundButton.RELEASE, RefundButton.CANCEL]
    elif status is TransactionStatus.FAILED:
        names = [RefundButton.RETRY, RefundButton.CONFIRM, RefundButton.CANCEL]
    elif status is TransactionStatus.PENDING and transaction.awaiting == Awaiting.CONFIRMATION:
        names = [RefundButton.CONFIRM]
    return tuple(FormButton(name, f"{base}/{name}") for name in names)


def _queue_page(request: HttpRequest, actor: Actor, *, problem: ReturndeskError | None = None) -> HttpResponse:
    """One read: a page of the refunds needing attention (a fixed number of queries)."""
    rows, next_cursor = queue.refunds_needing_attention(
        actor=actor, limit=PER_PAGE, cursor=request.GET.get("cursor") or None
    )
    panels: list[RefundPanel] = [refund_panel(row, row.return_request, agent_buttons) for row in rows]
    context: dict[str, Any] = {
        "refunds": panels,
        "next_page": f"?cursor={next_cursor}" if next_cursor else None,
        "now": clock.now(),
    }
    if problem is not None:
        return render_problem(request, QUEUE_PAGE, context, problem)
    return render(request, QUEUE_PAGE, context)


@require_GET
@portal_view(AGENT)
def refund_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _queue_page(request, actor)


def _act(request: HttpRequest, actor: Actor, change: Callable[[], object]) -> HttpResponse:
    try:
        change()
    except ReturndeskError as error:
        return _queue_page(request, actor, problem=error)
    return HttpResponseRedirect(QUEUE_PATH, status=303)


@require_POST
@portal_view(AGENT)
def refund_release(request: HttpRequest, actor: Actor, refund_id: int) -> HttpResponse:
    def change() -> object:
        wanted = checked(RefundReleaseIn, given(request.POST, "transaction", "note"), source="form")
        return transactions.refund_release(
            refund_id=refund_id, actor=actor, transaction_id=wanted.transaction, note=wanted.note
        )

    return _act(request, actor, change)


@require_POST
@portal_view(AGENT)
def refund_confirm(request: HttpRequest, actor: Actor, refund_id: int) -> HttpResponse:
    def change() -> object:
        return refund_confirm_posted(request.POST, actor=actor, refund_id=refund_id)

    return _act(request, actor, change)


@require_POST
@portal_view(AGENT)
def refund_retry(request: HttpRequest, actor: Actor, refund_id: int) -> HttpResponse:
    def change() -> object:
        return refund_retry_posted(request.POST, actor=actor, refund_id=refund_id)

    return _act(request, actor, change)


@require_POST
@portal_view(AGENT)
def refund_cancel(request: HttpRequest, actor: Actor, refund_id: int) -> HttpResponse:
    """Cancel with a Reason (422 ``reason_required`` without one, from the service as in the API)."""

    def change() -> object:
        fields = {**given(request.POST, "transaction"), "reason": str(request.POST.get("reason", "")).strip()}
        wanted = checked(RefundCancelIn, fields, source="form")
        return transactions.refund_cancel(
            refund_id=refund_id, actor=actor, transaction_id=wanted.transaction, reason=wanted.reason
        )

    return _act(request, actor, change)
