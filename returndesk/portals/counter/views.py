"""The drop-off counter: one field for the code on the parcel (typed, or the label's QR scanned),
one answer: accept it or not; then "Accept parcel" hands it over and prints the receipt.

The answer is the verifier's (``returns.services.code_check``, the service behind
``GET /api/v1/codes/{code}``), rendered from the same data the API answers with
(``verification_data``), so that the counter and a carrier's own software never disagree.
Failed checks count against the signed-in clerk and the drop-off point of their membership.
The handover is ``dropoffs.services.return_handover``, the service behind ``POST /api/v1/dropoffs``,
at the clerk's carrier and point, sent once per form (its token is the Idempotency-Key).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from returndesk.core.actors import Actor
from returndesk.core.errors import MethodNotAllowed, RateLimited, ReturndeskError, ValidationFailed
from returndesk.core.idempotency import once_per_token
from returndesk.dropoffs import selectors as dropoffs_selectors
from returndesk.dropoffs import services as dropoffs_services
from returndesk.dropoffs.schemas import WEIGHT_G_MAX
from returndesk.labels.errors import QrInvalid
from returndesk.portals.buyer.forms import form_token
from returndesk.portals.common.views import COUNTER, is_htmx, portal_view, render_problem
from returndesk.returns import services
from returndesk.returns.domain import codes
from returndesk.returns.domain.verification import Result
from returndesk.returns.schemas import verification_data

PAGE = "portals/counter/counter.html"
ANSWER = "portals/counter/answer.html"
RECEIPT = "portals/counter/receipt.html"
# Longer than any code with its separators, short enough that nobody pastes a page into it.
CODE_MAX_LENGTH = 64
# A label's QR payload (``RD1.<code>.<seller>.<exp>.<kid>.<sig>``) is longer than a code.
QR_PREFIX = "RD1."
QR_MAX_LENGTH = 512


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
    is_qr = typed.upper().startswith(QR_PREFIX)
    longest = QR_MAX_LENGTH if is_qr else CODE_MAX_LENGTH
    if not typed or len(typed) > longest:
        # Not a guess: an empty Enter or a pasted paragraph is not counted against the counter.
        message = (
            gettext("Enter a return code.")
            if not typed
            else gettext("A return code is at most %(count)d characters; this is %(length)d.")
            % {"count": longest, "length": len(typed)}
        )
        error = ValidationFailed(
            gettext("Type or scan the return code on the parcel."),
            errors=[{"loc": ["form", "code"], "msg": message, "type": "invalid"}],
        )
        return _problem(request, typed[:CODE_MAX_LENGTH], error)
    try:
        # A scanned label's QR must verify; its code is then checked like a typed one.
        raw_code = dropoffs_services.label_qr_read(payload=typed).code if is_qr else typed
        verification = services.code_check(actor=actor, raw_code=raw_code, point_id=actor.point_id or None)
    except (RateLimited, QrInvalid) as error:
        return _problem(request, typed, error)
    accept = verification.verdict.result is Result.VALID
    return _answer(
        request,
        typed,
        {
            "answer": verification_data(verification, actor=actor),
            "accept": accept,
            "suggestions": [(code, codes.display(code)) for code in verification.suggestions],
            # A new one-time token for the Accept parcel form: the handover's Idempotency-Key.
            "token": form_token() if accept else "",
        },
    )


def _weight(text: str) -> int | None:
    """The optional weight in grams, or 422 ``validation_error``."""
    if not text.strip():
        return None
    try:
        weight = int(text.strip())
    except ValueError:
        weight = 0
    if not 1 <= weight <= WEIGHT_G_MAX:
        message = gettext("The weight is a whole number of grams from 1 to %(most)s.") % {"most": f"{WEIGHT_G_MAX:,}"}
        raise ValidationFailed(message, errors=[{"loc": ["form", "weight_g"], "msg": message, "type": "invalid"}])
    return weight


@portal_view(COUNTER)
def counter_handover(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Accept the parcel of a checked code at the clerk's carrier and point, once per form, and
    show its receipt (mailed to the buyer after commit). A refusal shows on the counter page."""
    if request.method != "POST":
        raise MethodNotAllowed(gettext("Accept a parcel with the form on the counter page."))
    code = request.POST.get("code", "").strip()[:CODE_MAX_LENGTH]
    try:
        weight_g = _weight(request.POST.get("weight_g", ""))
        receipt_id = once_per_token(
            actor=actor,
            token=str(request.POST.get("token", "")),
            path="/counter/handover",
            fingerprint={"code": codes.normalise(code), "weight_g": weight_g},
            effect=lambda: (
                dropoffs_services.return_handover(
                    actor=actor,
                    code=code,
                    carrier=actor.carrier,
                    point_id=actor.point_id,
                    weight_g=weight_g,
                    mail_buyer=True,
                ).receipt_id
            ),
        )
    except ReturndeskError as error:
        return render_problem(request, PAGE, {"typed": code}, error)
    return HttpResponseRedirect(reverse("counter-receipt", args=[receipt_id]), status=303)


@portal_view(COUNTER)
def counter_receipt(request: HttpRequest, actor: Actor, receipt_id: str) -> HttpResponse:
    """A handover's printable receipt: the clerk's carrier's only (another's is 404)."""
    receipt = dropoffs_selectors.receipt_get_for_actor(receipt_id=receipt_id, actor=actor)
    return render(request, RECEIPT, {"receipt": receipt, "ret": receipt.return_request, "point": receipt.point})


def _problem(request: HttpRequest, typed: str, error: ReturndeskError) -> HttpResponse:
    """``error`` in the answer's place, at its status: the field stays where the clerk types, and
    a wait (429) says how long, with Retry-After as the API gives it."""
    return render_problem(request, _template(request), {"typed": typed}, error)


def _answer(request: HttpRequest, typed: str, context: dict[str, Any]) -> HttpResponse:
    """The answer alone for htmx (swapped into the live region), else the page holding it."""
    return render(request, _template(request), {"typed": typed, **context})


def _template(request: HttpRequest) -> str:
    return ANSWER if is_htmx(request) else PAGE
