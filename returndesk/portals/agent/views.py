"""Customer service: one search box for whatever the buyer on the phone has at hand (an email
address, an order number, a tracking number, the return code), and every return with its full
timeline.

The console reads; its one action is Re-send code, for a buyer who lost theirs: what agents
decide comes with the issues that give them actions.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from returndesk.core.actors import Actor
from returndesk.core.errors import ReturndeskError, ValidationFailed
from returndesk.core.idempotency import once_per_token
from returndesk.portals.buyer.forms import form_token
from returndesk.portals.common.views import AGENT, portal_view, render_problem
from returndesk.returns import selectors, services
from returndesk.returns.domain import codes

SEARCH_PAGE = "portals/agent/search.html"
RETURN_PAGE = "portals/agent/return.html"
RETURNS_PER_PAGE = 50
# An email address is at most 254 characters; nothing else typed here is longer.
SEARCH_MAX_LENGTH = 254


@portal_view(AGENT)
def agent_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The Search box and, for ``?q=``, what it found: a return's code opens that return."""
    text = request.GET.get("q", "").strip()
    if not text:
        return render(request, SEARCH_PAGE, {"text": ""})
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationFailed(
            gettext("Search for a code, a tracking number, an order number or an email address."),
            errors=[{"loc": ["query", "q"], "msg": gettext("Too long to be any of them."), "type": "too_long"}],
        )
    search = selectors.returns_search(
        actor=actor, text=text, limit=RETURNS_PER_PAGE, cursor=request.GET.get("cursor") or None
    )
    if search.code is not None:
        return HttpResponseRedirect(return_path(search.code))
    return render(request, SEARCH_PAGE, {"text": text, "search": search})


def return_path(code: str) -> str:
    return f"/agent/returns/{code}"


@portal_view(AGENT)
def agent_return(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """A return with its order, buyer, anomalies, next deadline and every event; Re-send code
    while the buyer still needs it."""
    return _return_page(request, actor, code)


def _return_page(
    request: HttpRequest, actor: Actor, code: str, *, problem: ReturndeskError | None = None
) -> HttpResponse:
    """The return page, ``problem`` shown above its facts at the problem's status. One read:
    ``return_get_for_actor`` (the timeline prefetched: the last re-send is read from it)."""
    ret = selectors.return_get_for_actor(code=code, actor=actor, with_timeline=True)
    resent = [event for event in ret.events.all() if event.action == services.CODE_RESENT_EVENT]
    context = {
        "ret": ret,
        "may_resend": ret.status in selectors.CODE_NEEDED_STATUSES,
        "last_resent": resent[-1] if resent else None,
        "token": form_token(),
    }
    if problem is not None:
        return render_problem(request, RETURN_PAGE, context, problem)
    return render(request, RETURN_PAGE, context)


@require_POST
@portal_view(AGENT)
def agent_code_resend(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """Re-send code: mail the code to the buyer's address on file (``return_code_resend``) and go
    back to the return (303). The form's one-time token makes a double submit one mail. A refusal
    (409 ``code_not_needed``, 429 ``rate_limited``) is the return page with the API's problem."""
    canonical = codes.normalise(code)
    try:
        once_per_token(
            actor=actor,
            token=str(request.POST.get("token", "")),
            path=f"{return_path(canonical)}/code-reminder",
            fingerprint={"return": canonical},
            effect=lambda: services.return_code_resend(code=code, actor=actor).code,
        )
    except ReturndeskError as error:
        return _return_page(request, actor, code, problem=error)
    return HttpResponseRedirect(return_path(canonical), status=303)
