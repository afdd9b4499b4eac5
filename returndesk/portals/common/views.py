"""``portal_view``, the one wrapper of every portal page, and the pages that answer problems.

A portal page is ``parse -> gate -> one service or selector -> render``; the gate and the
rendering of failures are here, so that every page answers them alike:

- signed out: a staff portal redirects to ``/sign-in/?next=<path>`` (``settings.LOGIN_URL``); the
  buyer portal's pages say whether they show their own Email form (``signed_out=True``) or send
  the buyer to it at ``/buyer/``;
- signed in with a role the portal does not admit: 403 ``forbidden``, with Sign out in the header;
- any ``ReturndeskError`` the page's service or selector raises: its status, ``code``, ``title``,
  ``detail`` and ``errors``, exactly as the API's problem details give them, through the problem
  partial (``portals/common/problem.html``); an htmx request gets the partial alone.

Pages outside ``portal_view`` (sign-in, password) show their failures through the same
``render_problem``, and a form's errors as ``form_problem``: 422 ``validation_error``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import update_wrapper
from typing import Any, Concatenate, Literal, ParamSpec, overload

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from returndesk.accounts.auth import session_actor
from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import CsrfFailed, ForbiddenPage, NotFound, ReturndeskError, ValidationFailed
from returndesk.core.problems import problem_body, problem_headers
from returndesk.portals.common.words import ACTOR_KIND, STAFF_ROLE

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]
SignedInView = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]
AnyoneView = Callable[Concatenate[HttpRequest, Actor | None, P], HttpResponse]

PROBLEM_PARTIAL = "portals/common/problem.html"
PROBLEM_PAGE = "portals/common/problem_page.html"
BASE = "portals/common/base.html"
PARTIAL_BASE = "portals/common/partial.html"
# Where portal_view leaves what it found for the context processor (``portals.common.context``).
SESSION_ATTRIBUTE = "returndesk_portal_session"


@dataclass(frozen=True)
class Portal:
    name: str
    title: Promise
    # Who the portal is for, in words for the 403 page ("seller staff").
    audience: Promise
    kinds: frozenset[ActorKind]
    # Among ``kinds``, the staff roles admitted; None admits every actor of those kinds.
    staff_roles: frozenset[StaffRole] | None
    # Where a signed-out visitor is sent, with ``?next=`` the page asked for.
    sign_in_url: str

    def admits(self, actor: Actor) -> bool:
        return actor.kind in self.kinds and (self.staff_roles is None or actor.staff_role in self.staff_roles)


BUYER = Portal(
    name="buyer",
    title=_("Buyer"),
    audience=_("buyers"),
    kinds=frozenset({ActorKind.BUYER}),
    staff_roles=None,
    sign_in_url="/buyer/",
)
SELLER = Portal(
    name="seller",
    title=_("Seller"),
    audience=_("seller staff"),
    kinds=frozenset({ActorKind.SELLER_USER}),
    staff_roles=frozenset({StaffRole.SELLER_MANAGER, StaffRole.SELLER_WAREHOUSE}),
    sign_in_url=settings.LOGIN_URL,
)
COUNTER = Portal(
    name="counter",
    title=_("Counter"),
    audience=_("drop-off counter staff"),
    kinds=frozenset({ActorKind.CARRIER}),
    staff_roles=frozenset({StaffRole.COUNTER}),
    sign_in_url=settings.LOGIN_URL,
)
AGENT = Portal(
    name="agent",
    title=_("Customer service"),
    audience=_("customer service"),
    kinds=frozenset({ActorKind.AGENT}),
    staff_roles=frozenset({StaffRole.AGENT, StaffRole.SUPERVISOR}),
    sign_in_url=settings.LOGIN_URL,
)


@dataclass(frozen=True)
class PortalSession:
    """Who a page is shown to: given to every template (``actor``, ``signed_in_as``, ``portal``)."""

    actor: Actor | None
    signed_in_as: str
    portal: Portal | None


def signed_in_words(request: HttpRequest, actor: Actor | None) -> str:
    """Who is signed in, for the header: "ana@lumen.example, seller manager"; empty when nobody."""
    if actor is None:
        return ""
    if actor.kind is ActorKind.BUYER:
        return gettext("Buyer")
    role = STAFF_ROLE[actor.staff_role] if actor.staff_role else ACTOR_KIND[actor.kind]
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return str(role)
    return gettext("%(who)s, %(role)s") % {"who": user.get_username(), "role": role}


def portal_session(request: HttpRequest) -> PortalSession:
    """What ``portal_view`` found for this request, or the session's actor for a page outside the
    portals (the landing page, a problem page): every header offers Sign out when signed in."""
    found = getattr(request, SESSION_ATTRIBUTE, None)
    if isinstance(found, PortalSession):
        return found
    actor = session_actor(request)
    found = PortalSession(actor=actor, signed_in_as=signed_in_words(request, actor), portal=None)
    setattr(request, SESSION_ATTRIBUTE, found)
    return found


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_problem(
    request: HttpRequest, template: str, context: dict[str, Any], error: ReturndeskError
) -> HttpResponse:
    """``template`` showing ``error`` at its status, with the headers the API sends with it
    (Retry-After): the one way every page shows a failure. The template includes the problem
    partial, which reads ``problem``: the API's problem body (``core.problems.problem_body``),
    so a page and the API say the same ``code``, ``title``, ``detail`` and ``errors``."""
    response = render(request, template, {**context, "problem": problem_body(error)}, status=error.status)
    for header, value in problem_headers(error).items():
        response[header] = value
    return response


def problem_page(request: HttpRequest, error: ReturndeskError) -> HttpResponse:
    """``error`` as a page (or, for htmx, the problem partial alone), with the API's words."""
    return render_problem(request, PROBLEM_PARTIAL if is_htmx(request) else PROBLEM_PAGE, {}, error)


def form_problem(form: forms.Form, detail: str | None = None) -> ValidationFailed:
    """A form's errors as the API's 422 ``validation_error``: one entry per message, ``loc``
    ``["form", <field>]`` (``["form"]`` for an error of the whole form), ``type`` Django's error
    code; ``detail`` defaults to the messages in a sentence."""
    errors: list[dict[str, Any]] = [
        {
            "loc": ["form"] if field == NON_FIELD_ERRORS else ["form", field],
            "msg": " ".join(str(message) for message in error.messages),
            "type": error.code or "invalid",
        }
        for field, field_errors in form.errors.as_data().items()
        for error in field_errors
    ]
    return ValidationFailed(detail or " ".join(str(error["msg"]) for error in errors), errors=errors)


@overload
def portal_view(portal: Portal) -> Callable[[SignedInView[P]], View[P]]: ...
@overload
def portal_view(portal: Portal, *, signed_out: Literal[True]) -> Callable[[AnyoneView[P]], View[P]]: ...
def portal_view(
    portal: Portal, *, signed_out: bool = False
) -> Callable[[SignedInView[P]], View[P]] | Callable[[AnyoneView[P]], View[P]]:
    """Wrap a page of ``portal``: the view gets the session's actor after the gate has let it in.

    ``signed_out=True`` lets signed-out visitors through to the view with ``actor=None`` (the
    buyer portal's front page, which shows its Email form to them).
    """

    def decorate(view: AnyoneView[P]) -> View[P]:
        def page(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            actor = session_actor(request)
            session = PortalSession(actor=actor, signed_in_as=signed_in_words(request, actor), portal=portal)
            setattr(request, SESSION_ATTRIBUTE, session)
            response = _answer(request, portal, actor, signed_out, view, *args, **kwargs)
            # Pages show one person's data, and one URL answers a page or its partial.
            add_never_cache_headers(response)
            patch_vary_headers(response, ["HX-Request"])
            return response

        update_wrapper(page, view)
        return page

    return decorate


def _answer(
    request: HttpRequest,
    portal: Portal,
    actor: Actor | None,
    signed_out: bool,
    view: AnyoneView[P],
    *args: P.args,
    **kwargs: P.kwargs,
) -> HttpResponse:
    if actor is None and not signed_out:
        return redirect_to_login(request.get_full_path(), portal.sign_in_url)
    if actor is not None and not portal.admits(actor):
        who = STAFF_ROLE[actor.staff_role] if actor.staff_role else ACTOR_KIND[actor.kind]
        return problem_page(
            request,
            ForbiddenPage(
                gettext("These pages are for %(audience)s; you are signed in as %(who)s.")
                % {"audience": portal.audience, "who": who}
            ),
        )
    try:
        return view(request, actor, *args, **kwargs)
    except ReturndeskError as error:
        return problem_page(request, error)
    except Http404:
        return problem_page(request, NotFound())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a page's form without its token (or with a stale one) is 403
    ``csrf_failed``. The API is not concerned: its routes take bearer keys, not cookies, and
    django-ninja exempts them from CSRF."""
    return problem_page(
        request,
        CsrfFailed(
            gettext(
                "The form was sent without its security token, or with an old one (the page may have been "
                "open a long time, or cookies are blocked). Reload the page and send the form again."
            )
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404`` for pages (the API answers its own 404s as problem details)."""
    return problem_page(request, NotFound(gettext("There is no page at this address.")))
