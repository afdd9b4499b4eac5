"""The drop-off counter: one field for the code on the parcel, one answer: accept it or not.

The answer is the verifier's (``returns.services.code_check``, the service behind
``GET /api/v1/codes/{code}``), rendered from the same data the API answers with
(``verification_data``), so that the counter and a carrier's own software never disagree.
Failed checks count against the signed-in clerk and the drop-off point of their membership.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from returndesk.core.actors import Actor
from returndesk.core.errors import MethodNotAllowed, RateLimited, ReturndeskError, ValidationFailed
from returndesk.portals.common.views import COUNTER, is_htmx, portal_view, render_problem
from returndesk.returns import services
from returndesk.returns.domain import codes
from returndesk.returns.domain.verification import Result
from returndesk.returns.schemas import verification_data

PAGE = "portals/counter/counter.html"
ANSWER = "portals/counter/answer.html"
# Longer than any code with its separators, short enough that nobody pastes a page into it.
CODE_MAX_LENGTH = 64


@portal_view(COUNTER)
def counter(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The Return code field, focused, and an empty answer."""
    return render(request, PAGE, {"typed": ""})


@portal_view(COUNTER)
def counter_check(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Check the typed or scanned code at the clerk's drop-off point; htmx gets the answer alone."""
    if request.method != "POST":
        raise MethodNotAllowed(gettext("Check a code with the form on the counter page."))
    typed = request.POST.get("code", "").strip()
    if not typed or len(typed) > CODE_MAX_LENGTH:
        # Not a guess: an empty Enter or a pasted paragraph is not counted against the counter.
        error = ValidationFailed(
            gettext("Type or scan the return code on the parcel."),
            errors=[{"loc": ["form", "code"], "msg": gettext("Enter a return code."), "type": "invalid"}],
        )
        return _problem(request, typed[:CODE_MAX_LENGTH], error)
    try:
        verification = services.code_check(actor=actor, raw_code=typed, point_id=actor.point_id or None)
    except RateLimited as error:
        return _problem(request, typed, error)
    return _answer(
        request,
        typed,
        {
            "answer": verification_data(verification, actor=actor),
            "accept": verification.verdict.result is Result.VALID,
            "suggestions": [(code, codes.display(code)) for code in verification.suggestions],
        },
    )


def _problem(request: HttpRequest, typed: str, error: ReturndeskError) -> HttpResponse:
    """``error`` in the answer's place, at its status: the field stays where the clerk types, and
    a wait (429) says how long, with Retry-After as the API gives it."""
    return render_problem(request, _template(request), {"typed": typed}, error)


def _answer(request: HttpRequest, typed: str, context: dict[str, Any]) -> HttpResponse:
    """The answer alone for htmx (swapped into the live region), else the page holding it."""
    return render(request, _template(request), {"typed": typed, **context})


def _template(request: HttpRequest) -> str:
    return ANSWER if is_htmx(request) else PAGE
