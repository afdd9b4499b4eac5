"""Customer service: one search box for whatever the buyer on the phone has at hand (an email
address, an order number, the return code), and every return read-only with its full timeline.

The console only reads: what agents decide comes with the issues that give them actions.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext

from returndesk.core.actors import Actor
from returndesk.core.errors import ValidationFailed
from returndesk.portals.common.views import AGENT, portal_view
from returndesk.returns import selectors

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
            gettext("Search for a code, an order number or an email address."),
            errors=[{"loc": ["query", "q"], "msg": gettext("Too long to be any of them."), "type": "too_long"}],
        )
    search = selectors.returns_search(
        actor=actor, text=text, limit=RETURNS_PER_PAGE, cursor=request.GET.get("cursor") or None
    )
    if search.code is not None:
        return HttpResponseRedirect(f"/agent/returns/{search.code}")
    return render(request, SEARCH_PAGE, {"text": text, "search": search})


@portal_view(AGENT)
def agent_return(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """A return with its order, buyer, anomalies, next deadline and every event, read-only."""
    ret = selectors.return_get_for_actor(code=code, actor=actor, with_timeline=True)
    return render(request, RETURN_PAGE, {"ret": ret})
