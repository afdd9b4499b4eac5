"""The site's routes plus pages that exist only to exercise ``portal_view`` (no portal has pages
on this branch yet), and a Sign out route for the header when accounts' own is absent."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.urls import path

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import RateLimited, ValidationFailed
from returndesk.portals.common.views import BUYER, SELLER, Portal, portal_view
from returndesk.returns.services import return_approve
from returndesk.urls import urlpatterns as site_urlpatterns

# A portal that admits every kind of actor, so that a page can act with an API key's actor and be
# compared with the API answering that key.
EVERYONE = Portal(
    name="everyone",
    title=SELLER.title,
    audience=SELLER.audience,
    kinds=frozenset(ActorKind),
    staff_roles=None,
    sign_in_url="/sign-in/",
)

_PAGE = engines["django"].from_string(
    '{% extends base_template %}{% block main %}<h1>A page</h1><p data-actor="{{ actor.id }}">{{ signed_in_as }}</p>'
    "<p data-portal>{{ portal.name }}</p>{% endblock %}"
)


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_PAGE.render(request=request))


@portal_view(SELLER)
def seller_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request)


@portal_view(BUYER)
def buyer_signed_in_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request)


@portal_view(BUYER, signed_out=True)
def buyer_front_page(request: HttpRequest, actor: Actor | None) -> HttpResponse:
    if actor is None:
        return HttpResponse("<form>Email</form>")
    return _page(request)


@portal_view(EVERYONE)
def approve_page(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    return_approve(code=code, actor=actor)
    return HttpResponseRedirect("/")


@portal_view(EVERYONE)
def invalid_form_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    raise ValidationFailed(errors=[{"loc": ["body", "lines"], "msg": "Choose at least one line", "type": "missing"}])


@portal_view(EVERYONE)
def rate_limited_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    raise RateLimited("Too many sign-in links asked for this address.", retry_after=42)


def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect("/")


urlpatterns = [
    path("test/seller/", seller_page),
    path("test/buyer/", buyer_front_page),
    path("test/buyer/orders/", buyer_signed_in_page),
    path("test/returns/<str:code>/approve", approve_page),
    path("test/invalid-form/", invalid_form_page),
    path("test/rate-limited/", rate_limited_page),
    *site_urlpatterns,
    # Where accounts' route is, so that {% url 'sign-out' %} answers /sign-out/ with or without it.
    path("sign-out/", sign_out, name="sign-out"),
]
handler404 = "returndesk.portals.common.views.page_not_found"
