"""The seller's pages: the queue of returns, search by code, a return with its actions.

For the staff of one seller (managers and warehouse staff), through ``portal_view(SELLER)``.
Every read is scoped to the caller's seller by the selectors: another seller's return is 404
``not_found``, exactly as the API answers it. The buttons a return page offers are
``return_actions`` (the lifecycle's, narrowed by the warehouse gate), limited to the actions this
portal has forms for; a forged POST is refused by the transition itself (warehouse staff
approving: 403 ``forbidden_action``), and the page shows that refusal as the API words it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from returndesk.core import clock
from returndesk.core.actors import Actor, StaffRole
from returndesk.core.errors import ReturndeskError, ValidationFailed
from returndesk.core.idempotency import once_per_token
from returndesk.portals.buyer.forms import posted_token
from returndesk.portals.common.views import SELLER, is_htmx, portal_view, render_problem
from returndesk.portals.seller import forms, money
from returndesk.receiving import services as receiving_services
from returndesk.refunds import exchanges, offers
from returndesk.refunds import selectors as refund_selectors
from returndesk.refunds import services as refund_services
from returndesk.refunds.offer_schemas import OfferIn
from returndesk.refunds.schemas import KeepIn
from returndesk.returns import selectors, services
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Action, Condition, LineOutcome, Status
from returndesk.returns.selectors import return_actions, return_code_lookup, return_get_for_actor

RETURN_PAGE = "portals/seller/return.html"

QUEUE_PAGE_SIZE = 50
# The actions this portal has a form for, in the order the page shows them.
PAGE_ACTIONS = (Action.APPROVE, Action.REJECT, Action.RECEIVE, Action.INSPECT, *money.MONEY_ACTIONS)
# What an inspection may conclude: the pending outcome is no verdict.
INSPECTION_OUTCOMES = (LineOutcome.ACCEPTED, LineOutcome.REJECTED)


def return_path(code: str) -> str:
    return f"/seller/returns/{code}"


@require_GET
@portal_view(SELLER)
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The seller's returns, newest first, 50 a page, with how many are in each status.

    Two reads, each a fixed number of queries: ``returns_count_by_status`` (one) for the counts,
    ``returns_list`` for the page of rows.
    """
    query = forms.queue_query(request.GET)
    counts = selectors.returns_count_by_status(actor)
    rows, next_cursor = selectors.returns_list(
        actor=actor, filters=query.filters(), limit=QUEUE_PAGE_SIZE, cursor=query.cursor
    )
    return render(
        request,
        "portals/seller/queue.html",
        {
            "query": query,
            "counts": [(status, counts[status]) for status in Status],
            "statuses": list(Status),
            "rows": rows,
            "next_page": f"?{query.query_string(cursor=next_cursor)}" if next_cursor else None,
            "filtered": any(value not in (None, "") for name, value in query if name != "cursor"),
            # Managers change the return policy; warehouse staff are refused its page.
            "policy_link": actor.staff_role is not StaffRole.SELLER_WAREHOUSE,
        },
    )


@require_GET
@portal_view(SELLER)
def search(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Find one of the seller's returns by its code, typed however (``k7q2 xm4d-9t3o-6``): found,
    go to it; a typo, offer the seller's codes one slip away; else say nothing matched. Never
    counted as a verifier failure: staff finding their own returns are not guessing codes."""
    typed = request.GET.get("code", "").strip()
    if not typed:
        raise ValidationFailed(
            "Type a return code to search for.",
            errors=[{"loc": ["query", "code"], "msg": "Field required", "type": "missing"}],
        )
    lookup = return_code_lookup(text=typed, actor=actor)
    if lookup.code is not None:
        return HttpResponseRedirect(return_path(lookup.code))
    return render(
        request,
        "portals/seller/search.html",
        {
            "typed": typed,
            "lookup": lookup,
            "suggestions": [(code, codes.display(code)) for code in lookup.suggestions],
        },
    )


@require_GET
@portal_view(SELLER)
def return_page(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    return _return_page(request, actor, code)


def _return_page(
    request: HttpRequest, actor: Actor, code: str, *, problem: ReturndeskError | None = None
) -> HttpResponse:
    """The return (lines, anomalies, deadline, timeline) and a form for each action the caller
    may take now; ``problem`` shown above them, at its status. One read: ``return_get_for_actor``
    (its queries fixed whatever the number of lines and events); ``return_actions`` judges the
    return it read without a query."""
    ret = return_get_for_actor(code=code, actor=actor, with_timeline=True)
    allowed = return_actions(ret=ret, actor=actor, now=clock.now())
    actions = [action for action in PAGE_ACTIONS if action in allowed]
    context = {
        "ret": ret,
        "lines": list(ret.lines.all()),
        "anomalies": list(ret.anomalies.all()),
        "events": list(ret.events.all()),
        "actions": actions,
        "outcomes": INSPECTION_OUTCOMES,
        "conditions": list(Condition),
        # Managers' only: the refunds with their buttons, the refund form's amounts.
        **money.money_context(ret, actor, actions),
    }
    if problem is not None:
        return render_problem(request, RETURN_PAGE, context, problem)
    return render(request, RETURN_PAGE, context)


def _act(request: HttpRequest, actor: Actor, code: str, change: Callable[[], object]) -> HttpResponse:
    """Run the action; then back to the return page (303), or for htmx its main part at once.
    A refusal (the form's or the service's) is the return page with the problem, at its status."""
    try:
        change()
    except ReturndeskError as error:
        return _return_page(request, actor, code, problem=error)
    if is_htmx(request):
        return _return_page(request, actor, code)
    return HttpResponseRedirect(return_path(codes.normalise(code)), status=303)


@require_POST
@portal_view(SELLER)
def approve(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    return _act(request, actor, code, lambda: services.return_approve(code=code, actor=actor))


@require_POST
@portal_view(SELLER)
def reject(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    def change() -> object:
        reason = forms.reject_input(request.POST).reason
        return services.return_reject(code=code, actor=actor, reason=reason)

    return _act(request, actor, code, change)


@require_POST
@portal_view(SELLER)
def receive(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    def change() -> object:
        note = forms.receive_input(request.POST).note
        return receiving_services.receiving_record(code=code, actor=actor, note=note)

    return _act(request, actor, code, change)


@require_POST
@portal_view(SELLER)
def inspect(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    def change() -> object:
        lines = forms.inspect_input(request.POST).inspections()
        return services.return_inspect(code=code, actor=actor, lines=lines)

    return _act(request, actor, code, change)


# --- money: refund, offer, keep, exchange; a refund's confirm and retry ---------------------------------


@require_POST
@portal_view(SELLER)
def refund(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """The refund form's amounts, as the API's body; its one-time token is the refund's
    ``request_key``, so a double submit is one refund."""

    def change() -> object:
        wanted = money.refund_input(request.POST)
        return refund_services.return_refund(
            code=code,
            actor=actor,
            lines=wanted.amounts(),
            shipping_amount=wanted.shipping_amount,
            note=wanted.note,
            request_key=posted_token(request.POST),
        )

    return _act(request, actor, code, change)


@require_POST
@portal_view(SELLER)
def offer(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """Offer a settlement; the form's token makes a double submit one offer."""

    def change() -> object:
        wanted = forms.checked(OfferIn, money.given(request.POST, "amount", "message"), source="form")
        return once_per_token(
            actor=actor,
            token=posted_token(request.POST),
            path=f"{return_path(codes.normalise(code))}/offer",
            fingerprint=wanted.model_dump(mode="json"),
            effect=lambda: (
                offers.return_offer(code=code, actor=actor, amount=wanted.amount, message=wanted.message).code
            ),
        )

    return _act(request, actor, code, change)


@require_POST
@portal_view(SELLER)
def keep(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    def change() -> object:
        wanted = forms.checked(KeepIn, money.given(request.POST, "note"), source="form")
        return refund_services.return_keep(
            code=code, actor=actor, note=wanted.note, request_key=posted_token(request.POST)
        )

    return _act(request, actor, code, change)


@require_POST
@portal_view(SELLER)
def exchange(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    def change() -> object:
        return exchanges.return_exchange(
            code=code, actor=actor, lines=money.exchange_input(request.POST).exchange_lines()
        )

    return _act(request, actor, code, change)


def _on_refund(request: HttpRequest, actor: Actor, refund_id: int, change: Callable[[], object]) -> HttpResponse:
    """Run ``change`` on a refund of the seller's, then back to its return (303); a refusal is the
    return page with the problem. Another seller's refund is 404 ``not_found``, as a missing one."""
    code = refund_selectors.refund_get_for_actor(refund_id=refund_id, actor=actor).return_request.code
    return _act(request, actor, code, change)


@require_POST
@portal_view(SELLER)
def refund_confirm(request: HttpRequest, actor: Actor, refund_id: int) -> HttpResponse:
    """Confirm that a manual payout was made (its reference optional)."""

    def change() -> object:
        return money.refund_confirm_posted(request.POST, actor=actor, refund_id=refund_id)

    return _on_refund(request, actor, refund_id, change)


@require_POST
@portal_view(SELLER)
def refund_retry(request: HttpRequest, actor: Actor, refund_id: int) -> HttpResponse:
    def change() -> object:
        return money.refund_retry_posted(request.POST, actor=actor, refund_id=refund_id)

    return _on_refund(request, actor, refund_id, change)
