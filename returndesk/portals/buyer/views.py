"""The buyer's pages: their orders, the open-return form, a return with its code, cancelling it.

Every page is ``portal_view(BUYER)``: a signed-out visitor gets the Email form at ``/buyer/`` (and
is sent there from the other pages); staff get 403 ``forbidden``; another buyer's order or return
is 404 ``not_found``, as for one that does not exist. Dates are shown in the buyer's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from returndesk.core import clock, money
from returndesk.core.actors import Actor
from returndesk.core.errors import ReturndeskError, ValidationFailed
from returndesk.core.idempotency import once_per_token
from returndesk.labels import documents as label_documents
from returndesk.labels import selectors as label_selectors
from returndesk.labels import services as label_services
from returndesk.portals.buyer import forms
from returndesk.portals.buyer.sign_in import PAGE as SIGN_IN_PAGE
from returndesk.portals.buyer.sign_in import EmailForm
from returndesk.portals.buyer.words import DEADLINE, NEXT_STEP, SUGGESTION
from returndesk.portals.common.refunds import money_panel
from returndesk.portals.common.views import BUYER, form_problem, portal_view, render_problem
from returndesk.portals.seller.forms import checked
from returndesk.refunds import offers
from returndesk.refunds.offer_schemas import DeclineOfferIn
from returndesk.returns import selectors, services
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Action, DueAction, Status
from returndesk.returns.domain.opening import Opening
from returndesk.returns.domain.requests import PreferredResolution, RequestedLine
from returndesk.returns.domain.verification import Result, verdict_by_status
from returndesk.returns.selectors import BuyerLine, BuyerOrder

ORDERS_PAGE = "portals/buyer/orders.html"
RETURN_FORM_PAGE = "portals/buyer/return_form.html"
RETURN_PAGE = "portals/buyer/return.html"
CANCEL_PAGE = "portals/buyer/cancel.html"


def return_path(code: str) -> str:
    return f"/buyer/returns/{code}"


def _see_other(path: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(path, status=303)


# --- /buyer/: the orders ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderCard:
    """An order as the list shows it; ``returnable`` when some line has a unit to return now."""

    order: BuyerOrder

    @property
    def returnable(self) -> bool:
        return any(line.eligibility.returnable for line in self.order.lines)


@require_http_methods(["GET", "HEAD"])
@portal_view(BUYER, signed_out=True)
def orders(request: HttpRequest, actor: Actor | None) -> HttpResponse:
    """Signed out: the Email form. Signed in: the buyer's orders, newest first, 20 a page."""
    if actor is None:
        return render(request, SIGN_IN_PAGE, {"email_form": EmailForm()})
    page, next_cursor = selectors.orders_for_buyer(actor=actor, now=clock.now(), cursor=request.GET.get("cursor"))
    return render(
        request,
        ORDERS_PAGE,
        {"orders": [OrderCard(order) for order in page], "next_cursor": next_cursor, "first_page": not request.GET},
    )


# --- /buyer/orders/<external_id>/return: the open-return form --------------------------------------


# What the form's submit button asked for: the costs first, or the return itself.
REVIEW, OPEN = "review", "open"


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(BUYER)
def return_form(request: HttpRequest, actor: Actor, external_id: str) -> HttpResponse:
    """A fieldset per returnable line (Quantity, Reason, Note) and Preferred resolution. Review
    the costs shows the advice (what the refund comes to, any restocking fee, a suggestion) with
    the answers kept, judged as opening would judge them; Open the return opens one return on the
    lines given a quantity and shows it (303). A double submit shows the first return."""
    if request.method != "POST":
        return _return_form_page(request, actor, external_id, token=forms.form_token())
    line_forms = forms.posted_line_forms(request.POST)
    resolution_form = forms.ResolutionForm(request.POST)
    token = forms.posted_token(request.POST)
    page = partial(_return_form_page, request, actor, external_id, token=token, posted=line_forms,
                   resolution=resolution_form)  # fmt: skip
    try:
        requested = _requested_lines(line_forms)
        preferred = _preferred_resolution(resolution_form)
        if request.POST.get("step") == REVIEW:
            verdict = services.return_preview(
                actor=actor, order_external_id=external_id, lines=requested, preferred_resolution=preferred
            )
            return page(preview=verdict)
        code = once_per_token(
            actor=actor,
            token=str(request.POST.get("token", "")),
            path=request.path,
            fingerprint={"order": external_id, "lines": [vars(line) for line in requested], "preferred": preferred},
            effect=lambda: (
                services.return_open(
                    actor=actor, order_external_id=external_id, lines=requested, preferred_resolution=preferred
                ).code
            ),
        )
    except ReturndeskError as error:
        # Shown again with what was typed: the page reads the order afresh, so an order that is
        # not this buyer's answers 404 not_found here, as its GET does.
        return page(error=error)
    return _see_other(return_path(str(code)))


def _requested_lines(line_forms: list[forms.ReturnLineForm]) -> list[RequestedLine]:
    """The lines given a quantity, or 422 ``validation_error`` (a field wrong, or no line chosen)."""
    # Every form validated, not just up to the first wrong one: the page lists each field's problem.
    valid = [form.is_valid() for form in line_forms]
    if not all(valid):
        raise ValidationFailed(
            gettext("Some answers need correcting: see each item's fields."), errors=forms.form_errors(line_forms)
        )
    requested = [line for form in line_forms if (line := form.requested()) is not None]
    if not requested:
        message = gettext("Choose how many units to return of at least one item.")
        raise ValidationFailed(message, errors=[{"loc": ["form", "lines"], "msg": message, "type": "too_short"}])
    return requested


def _preferred_resolution(form: forms.ResolutionForm) -> PreferredResolution:
    if not form.is_valid():
        raise form_problem(form)
    return PreferredResolution(form.cleaned_data["preferred_resolution"] or PreferredResolution.REFUND)


@dataclass(frozen=True)
class AdvicePanel:
    """The advice as the form shows it: amounts in words of money, and the verdict's refusals."""

    suggestion: str
    heading: str
    message: str
    refund_total: str
    restocking_fee: str
    return_shipping_fee: str
    shipping_refund: str
    free: bool
    eu_withdrawal: bool
    auto_approve: bool
    refusals: tuple[str, ...]


def _advice_panel(verdict: Opening) -> AdvicePanel:
    advice = verdict.advice

    def amount(units: int) -> str:
        return f"{money.format_amount(money.from_minor(units, advice.currency), advice.currency)} {advice.currency}"

    return AdvicePanel(
        suggestion=advice.suggestion,
        heading=str(SUGGESTION[advice.suggestion]),
        message=advice.message,
        refund_total=amount(advice.refund_total),
        restocking_fee=amount(sum(line.restocking_fee for line in advice.lines)),
        return_shipping_fee=amount(advice.return_shipping_fee),
        shipping_refund=amount(advice.shipping_refund),
        free=advice.free,
        eu_withdrawal=advice.eu_withdrawal,
        auto_approve=verdict.auto_approve,
        refusals=tuple(numbered.refusal.message for numbered in verdict.refusals),
    )


def _return_form_page(
    request: HttpRequest,
    actor: Actor,
    external_id: str,
    *,
    token: str,
    posted: list[forms.ReturnLineForm] | None = None,
    resolution: forms.ResolutionForm | None = None,
    preview: Opening | None = None,
    error: ReturndeskError | None = None,
) -> HttpResponse:
    order = selectors.order_for_buyer(external_id=external_id, actor=actor, now=clock.now())
    kept = {form.data.get(form.add_prefix("line")): form for form in posted or []}
    fieldsets: list[tuple[BuyerLine, forms.ReturnLineForm]] = []
    for buyer_line in (line for line in order.lines if line.eligibility.returnable):
        index = len(fieldsets)
        form = kept.get(buyer_line.line.external_id)
        if form is None or form.prefix != forms.line_prefix(index):
            form = forms.ReturnLineForm(prefix=forms.line_prefix(index), initial={"line": buyer_line.line.external_id})
        fieldsets.append((buyer_line, form))
    context: dict[str, Any] = {
        "order": order,
        "fieldsets": fieldsets,
        "not_returnable": [line for line in order.lines if not line.eligibility.returnable],
        "resolution_form": resolution or forms.ResolutionForm(),
        "resolutions": forms.resolution_choices(exchanges=order.policy.exchanges),
        "advice": _advice_panel(preview) if preview is not None else None,
        "token": token,
    }
    if error is not None:
        return render_problem(request, RETURN_FORM_PAGE, context, error)
    return render(request, RETURN_FORM_PAGE, context)


# --- /buyer/returns/<code>: a return and its code ---------------------------------------------------


def _in_time_zone(moment: datetime, time_zone: str) -> str:
    """``moment`` in words in the buyer's time zone, naming it: "March 20, 2026, 1 p.m. (Europe/Madrid)"."""
    local = timezone.localtime(moment, ZoneInfo(time_zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({time_zone})"


def deadline_words(*, due_at: datetime | None, due_action: str, ship_by: datetime | None, time_zone: str) -> str:
    """A return's next deadline as a sentence to the buyer; empty when none runs. An approved
    return's deadline is its ship-by time, named from ``ship_by`` itself."""
    if due_at is None or not due_action:
        return ""
    action = DueAction(due_action)
    at = ship_by if action is DueAction.EXPIRE and ship_by is not None else due_at
    return str(DEADLINE[action]) % {"when": _in_time_zone(at, time_zone)}


@require_http_methods(["GET", "HEAD"])
@portal_view(BUYER)
def return_page(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """The code (large, grouped, spelled out for screen readers, Copy), the lines, what comes next
    and by when, the timeline; Cancel the return while the lifecycle allows it. An open offer with
    Accept and Decline; each refund's breakdown and, per payment, when the money arrives."""
    return _return_page(request, actor, code)


def _return_page(
    request: HttpRequest, actor: Actor, code: str, *, error: ReturndeskError | None = None
) -> HttpResponse:
    ret = selectors.return_get_for_actor(code=code, actor=actor, with_timeline=True)
    now = clock.now()
    actions = selectors.return_actions(ret=ret, actor=actor, now=now)
    # What the counter would answer for the code now: the label only while it would be accepted,
    # else the counter's own words (a requested return's code is written on the parcel meanwhile).
    verdict = verdict_by_status(Status(ret.status), parcel_recorded=ret.parcel_recorded, ship_by=ret.ship_by, now=now)
    usable = verdict.result is Result.VALID
    context = {
        "ret": ret,
        "next_step": NEXT_STEP[ret.status],
        "deadline": deadline_words(
            due_at=ret.due_at, due_action=ret.due_action, ship_by=ret.ship_by, time_zone=ret.buyer.time_zone
        ),
        "may_cancel": Action.CANCEL in actions,
        "label": _label_panel(label_selectors.label_of(ret)) if usable else None,
        "code_refused": None if usable or ret.status == Status.REQUESTED else verdict.message,
        "money": money_panel(ret, now=now, time_zone=ret.buyer.time_zone),
        "token": forms.form_token(),
    }
    if error is not None:
        return render_problem(request, RETURN_PAGE, context, error)
    return render(request, RETURN_PAGE, context)


# --- /buyer/returns/<code>/accept-offer, /decline-offer ------------------------------------------------


@require_http_methods(["POST"])
@portal_view(BUYER)
def offer_accept(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """Accept the seller's open offer: a refund of its amount, the item kept; then the return (303).
    A double submit accepts once; an offer that lapsed meanwhile is 409 ``no_open_offer`` on the page."""
    canonical = codes.normalise(code)
    try:
        once_per_token(
            actor=actor,
            token=str(request.POST.get("token", "")),
            path=f"{return_path(canonical)}/accept-offer",
            fingerprint={"return": canonical},
            effect=lambda: offers.return_accept_offer(code=code, actor=actor).code,
        )
    except ReturndeskError as error:
        return _return_page(request, actor, code, error=error)
    return _see_other(return_path(canonical))


@require_http_methods(["POST"])
@portal_view(BUYER)
def offer_decline(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """Decline the seller's open offer (a reason optional); the return goes on as before."""
    canonical = codes.normalise(code)
    try:
        reason = str(request.POST.get("reason", "")).strip()
        wanted = checked(DeclineOfferIn, {"reason": reason} if reason else {}, source="form")
        offers.return_decline_offer(code=code, actor=actor, reason=wanted.reason)
    except ReturndeskError as error:
        return _return_page(request, actor, code, error=error)
    return _see_other(return_path(canonical))


# --- the label of an approved return: its QR on the page, the PDFs to download -----------------------


@dataclass(frozen=True)
class LabelPanel:
    qr_svg: str
    ship_by: str
    instructions: tuple[str, ...]


def _label_panel(unsigned: label_documents.Label) -> LabelPanel:
    """The QR the label carries (the same payload, signed afresh), ship-by in the buyer's time zone
    and how to pack; reads nothing the return page has not loaded but the signing key."""
    label = label_services.label_sign(label=unsigned)
    return LabelPanel(
        qr_svg=label_documents.qr_svg(label.qr_payload, title=gettext("QR code of your return label")),
        ship_by=_in_time_zone(label.ship_by, label.time_zone),
        instructions=tuple(str(step) for step in label_documents.PACKING_INSTRUCTIONS),
    )


@require_http_methods(["GET", "HEAD"])
@portal_view(BUYER)
def label_pdf(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """The buyer's own return label (A6 PDF), as the API draws it; 409 unless approved."""
    label = label_services.label_prepare(code=code, actor=actor)
    return label_documents.pdf_response(
        label_documents.label_pdf(label), filename=label_documents.label_filename(label, "label")
    )


@require_http_methods(["GET", "HEAD"])
@portal_view(BUYER)
def packing_slip_pdf(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """The buyer's own packing slip (A4 PDF); 409 unless approved."""
    label = label_selectors.label_get(code=code, actor=actor)
    return label_documents.pdf_response(
        label_documents.packing_slip_pdf(label), filename=label_documents.label_filename(label, "packing-slip")
    )


# --- /buyer/returns/<code>/cancel ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(BUYER)
def return_cancel(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """GET asks to confirm; POST cancels (a requested or approved return) and shows the return.
    The service's refusal (409 for a return past handover) is shown as the API words it."""
    if request.method != "POST":
        ret = selectors.return_get_for_actor(code=code, actor=actor)
        return render(request, CANCEL_PAGE, {"ret": ret, "token": forms.form_token()})
    canonical = codes.normalise(code)
    once_per_token(
        actor=actor,
        token=str(request.POST.get("token", "")),
        path=f"/buyer/returns/{canonical}/cancel",
        fingerprint={"return": canonical},
        effect=lambda: services.return_cancel(code=code, actor=actor).code,
    )
    return _see_other(return_path(canonical))
