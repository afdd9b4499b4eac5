from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from returndesk.core import clock
from returndesk.core.access import access_reads, access_require
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.clients import public_origin, request_client_address
from returndesk.core.idempotency import idempotent
from returndesk.core.problems import ProblemOut
from returndesk.returns import selectors, services
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Action
from returndesk.returns.models import Return
from returndesk.returns.schemas import (
    ACCEPTED,
    AcceptedOut,
    CancelIn,
    CodeQuery,
    CodeReminderIn,
    EmptyIn,
    InspectIn,
    PortalLinkIn,
    PortalLinkOut,
    PreviewOut,
    RejectIn,
    ReturnableOut,
    ReturnDetailOut,
    ReturnIn,
    ReturnListQuery,
    ReturnPageOut,
    VerificationOut,
    preview_data,
    returnable_data,
    verification_data,
)

router = Router(tags=["returns"])
codes_router = Router(tags=["codes"])
buyers_router = Router(tags=["buyers"])
eligibility_router = Router(tags=["eligibility"])
ACTION_ERRORS = errors(400, 403, 404, 409)


def _detail(code: str, actor: Actor) -> Return:
    return selectors.return_get_for_actor(code=code, actor=actor, with_timeline=True)


def _act(request: HttpRequest, code: str, action: Action, change: Callable[[Actor], Return]) -> HttpResponse:
    actor = actor_of(request)

    def produce() -> HttpResponse:
        return respond(200, ReturnDetailOut, selectors.return_answer_load(change(actor)))

    # However the code was typed, a retry is the same request.
    return idempotent(request, actor, produce, path=f"/api/v1/returns/{codes.normalise(code)}/{action}")


@router.post("/returns", response={201: ReturnDetailOut, **errors(400, 403, 404)})
def return_open(request: HttpRequest, payload: ReturnIn) -> HttpResponse:
    """Open a return on lines of one order; the answer carries its return code."""
    actor = actor_of(request)

    def produce() -> HttpResponse:
        ret = services.return_open(
            actor=actor,
            order_external_id=payload.order,
            lines=payload.requested_lines(),
            preferred_resolution=payload.preferred_resolution,
        )
        return respond(201, ReturnDetailOut, selectors.return_answer_load(ret))

    return idempotent(request, actor, produce)


@router.post("/returns/preview", response={200: PreviewOut, **errors(400, 403, 404)})
def return_preview(request: HttpRequest, payload: ReturnIn) -> HttpResponse:
    """What opening this return would answer now, creating nothing: every refusal (as POST
    /returns judges them), whether the system would approve it at once, and the cost advice."""
    actor = access_require(actor_of(request), ActorKind.PLATFORM)
    verdict = services.return_preview(
        actor=actor,
        order_external_id=payload.order,
        lines=payload.requested_lines(),
        preferred_resolution=payload.preferred_resolution,
    )
    return respond(200, PreviewOut, preview_data(verdict))


@router.get("/returns", response={200: ReturnPageOut, **errors(403)})
def return_list(request: HttpRequest, query: Query[ReturnListQuery]) -> HttpResponse:
    """Returns newest first, a page at a time; follow ``next_cursor`` until it is null.

    Every filter given narrows the list (ANDed). ``email`` is for platform and agent keys only.
    """
    actor = access_reads(actor_of(request))
    filters = selectors.ReturnFilters(
        status=query.status,
        seller=query.seller,
        buyer=query.buyer,
        created_after=query.created_after,
        created_before=query.created_before,
        order=query.order,
        order_number=query.order_number,
        email=query.email,
        buyer_name=query.buyer_name,
        anomaly=query.anomaly,
        tracking_number=query.tracking_number,
        q=query.q,
        refund_status=query.refund_status,
    )
    page, next_cursor = selectors.returns_list(actor=actor, filters=filters, limit=query.limit, cursor=query.cursor)
    return respond(200, ReturnPageOut, {"items": page, "next_cursor": next_cursor})


@router.get("/returns/{code}", response={200: ReturnDetailOut, **errors(403, 404)})
def return_get(request: HttpRequest, code: str) -> HttpResponse:
    """One return with its lines, timeline and next deadline."""
    actor = access_reads(actor_of(request))
    return respond(200, ReturnDetailOut, _detail(code, actor))


@router.post("/returns/{code}/approve", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_approve(request: HttpRequest, code: str, payload: EmptyIn | None = None) -> HttpResponse:
    """Approve a requested return: the buyer has until ``ship_by`` to hand the parcel over."""
    return _act(request, code, Action.APPROVE, lambda actor: services.return_approve(code=code, actor=actor))


@router.post("/returns/{code}/reject", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_reject(request: HttpRequest, code: str, payload: RejectIn) -> HttpResponse:
    """Reject a requested return, with the reason the buyer will see."""
    return _act(
        request,
        code,
        Action.REJECT,
        lambda actor: services.return_reject(code=code, actor=actor, reason=payload.reason),
    )


@router.post("/returns/{code}/cancel", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_cancel(request: HttpRequest, code: str, payload: CancelIn | None = None) -> HttpResponse:
    """Cancel a return before the parcel is handed over (the platform acts for the buyer)."""
    reason = payload.reason if payload else ""
    return _act(
        request, code, Action.CANCEL, lambda actor: services.return_cancel(code=code, actor=actor, reason=reason)
    )


@router.post("/returns/{code}/inspect", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_inspect(request: HttpRequest, code: str, payload: InspectIn) -> HttpResponse:
    """Record each line's outcome (accepted or rejected) and condition."""
    return _act(
        request,
        code,
        Action.INSPECT,
        lambda actor: services.return_inspect(code=code, actor=actor, lines=payload.inspections()),
    )


@router.post("/returns/{code}/close", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_close(request: HttpRequest, code: str, payload: EmptyIn | None = None) -> HttpResponse:
    """Close a resolved or rejected return, or an inspected one whose every line was rejected."""
    return _act(request, code, Action.CLOSE, lambda actor: services.return_close(code=code, actor=actor))


@codes_router.get("/codes/{code}", response={200: VerificationOut, **errors(429)})
def code_verify(request: HttpRequest, code: str, query: Query[CodeQuery]) -> HttpResponse:
    """Check a typed or scanned return code: whether the parcel may be accepted, and if not, why."""
    actor = actor_of(request)
    verification = services.code_check(
        actor=actor, raw_code=code, order=query.order, sku=query.sku, point_id=query.point_id
    )
    return respond(200, VerificationOut, verification_data(verification, actor=actor))


@buyers_router.post("/buyers/{external_id}/portal-links", response={201: PortalLinkOut, **errors(400, 403, 404, 409)})
def portal_link_create(request: HttpRequest, external_id: str, payload: PortalLinkIn | None = None) -> HttpResponse:
    """A one-time sign-in link for a buyer to hand over in the platform's own mail or app, landing
    on one of their returns when ``return`` names it. The answer holds the link, shown once (an
    Idempotency-Key repeat is refused, never replayed with it)."""
    actor = access_require(actor_of(request), ActorKind.PLATFORM)
    wanted = payload or PortalLinkIn()

    def produce() -> HttpResponse:
        url, expires_at = services.buyer_portal_link_create(
            buyer_external_id=external_id,
            origin=public_origin(request),
            return_code=wanted.return_,
            expires_in=wanted.expires_in,
        )
        return respond(201, PortalLinkOut, {"url": url, "expires_at": expires_at})

    return idempotent(request, actor, produce, secret_answer=True)


# The two routes of lost codes, documented (and permission-tested) together.
CODE_REMINDERS_TAG = "code reminders"
# Without a key: no 401 (the edge's 413, 414 and 415 are declared on every route that takes a body).
_NO_KEY_ERRORS = dict.fromkeys((400, 422, 429), ProblemOut)


@codes_router.post(
    "/code-reminders", auth=None, response={202: AcceptedOut, **_NO_KEY_ERRORS}, tags=[CODE_REMINDERS_TAG]
)
def code_reminder_request(request: HttpRequest, payload: CodeReminderIn) -> HttpResponse:
    """A buyer who lost their return code gives their address and order: the codes of that order's
    requested and approved returns go to the buyer's address on file. No key; the answer is the
    same, byte for byte, whether or not anything matched (Idempotency-Key is ignored). 3 an hour
    per address, 20 per client, then 429 ``rate_limited``."""
    services.code_reminder_request(order=payload.order, email=payload.email, client=request_client_address(request))
    return respond(202, AcceptedOut, ACCEPTED)


@router.post(
    "/returns/{code}/code-reminder",
    response={202: AcceptedOut, **errors(400, 403, 404, 409, 429)},
    tags=[CODE_REMINDERS_TAG],
)
def return_code_resend(request: HttpRequest, code: str, payload: EmptyIn | None = None) -> HttpResponse:
    """Mail a requested or approved return's code to its buyer's address on file again (platform,
    customer service); appends a ``code_resent`` event and counts toward the address's limit."""
    actor = actor_of(request)

    def produce() -> HttpResponse:
        services.return_code_resend(code=code, actor=actor)
        return respond(202, AcceptedOut, ACCEPTED)

    return idempotent(request, actor, produce, path=f"/api/v1/returns/{codes.normalise(code)}/code-reminder")


@eligibility_router.get("/orders/{external_id}/returnable", response={200: ReturnableOut, **errors(403, 404)})
def order_returnable(request: HttpRequest, external_id: str) -> HttpResponse:
    """Whether each line of an order may be returned now, under the seller's policy in force:
    the units left, the window's end, the reasons allowed and every refusal with its sentence.

    Platform and agent keys see every order, a seller its own (another's is 404 ``order_not_found``).
    """
    answer = selectors.order_returnable(external_id=external_id, actor=actor_of(request), now=clock.now())
    return respond(200, ReturnableOut, returnable_data(answer))
