"""The warehouse's pages: receiving parcels by scanning (``/seller/receiving``) and the parcels
that came without a return anyone could name (``/seller/parcels``).

Both are for the seller's managers and warehouse staff (``portal_view(SELLER)``) and call the
services the API calls: ``receiving_record`` (the API's ``receive``), ``parcel_create`` and
``parcel_match``. The receiving page is one form with one input: a scanner types and presses
Enter. The first scan names the return (its code, the parcel's tracking number or the order
number); each item scan after it is counted at once in the browser (``receiving.js``); Enter on
the empty input, or the code again, records the receipt. Without JavaScript the same form makes
a round trip per scan and the server keeps the tally in hidden fields, counted by the same pure
``receiving.domain.tally`` the receipt uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from returndesk.core.actors import Actor
from returndesk.core.errors import ReturndeskError, ValidationFailed
from returndesk.core.idempotency import once_per_token
from returndesk.portals.buyer.forms import form_token, posted_token
from returndesk.portals.common.views import SELLER, portal_view, render_problem
from returndesk.portals.seller.forms import checked
from returndesk.receiving import selectors as receiving_selectors
from returndesk.receiving import services as receiving_services
from returndesk.receiving.domain.parcels import ParcelStatus
from returndesk.receiving.domain.tally import Reported, Scan, ScanKey, gtin14, scan_names_code, tally
from returndesk.receiving.schemas import MatchIn, ParcelIn
from returndesk.returns.domain import codes, tracking
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Action, Status, transition_refused
from returndesk.returns.selectors import return_get_for_actor

RECEIVING_PAGE = "portals/seller/receiving.html"
PARCELS_PAGE = "portals/seller/parcels.html"
RECEIVING_PATH = "/seller/receiving"
PARCELS_PATH = "/seller/parcels"
# What a person adds to a receipt with a button; the tally finds short, extra and wrong items.
ADDABLE = (Anomaly.DAMAGED_ON_RETURN, Anomaly.EMPTY_BOX)
# As the API's bodies allow: a scan as long as a line's SKU, as many as a receipt's lines.
SCAN_MAX_LENGTH = 100
MAX_SCANS = 500
PARCELS_PER_PAGE = 50


@dataclass(frozen=True)
class Desk:
    """What the receiving form carries from one scan to the next: the return found (``code``,
    empty before), the items scanned so far, the anomalies added, what was just typed, the
    anomaly button pressed (without JavaScript), and the form's one-time token."""

    code: str = ""
    scans: list[str] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)
    typed: str = ""
    add: str = ""
    token: str = ""


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"loc": ["form", name], "msg": message, "type": "value_error"}])


def desk_input(form: QueryDict) -> Desk:
    """The receiving form as posted, or 422 ``validation_error`` for what no page of ours sends."""
    scans = [scan.strip() for scan in form.getlist("scans") if scan.strip()]
    typed = str(form.get("scan", "")).strip()
    if len(scans) > MAX_SCANS:
        raise _invalid("scans", gettext("At most %(count)d scans make one receipt.") % {"count": MAX_SCANS})
    if any(len(scan) > SCAN_MAX_LENGTH for scan in [*scans, typed]):
        raise _invalid("scan", gettext("A scan is at most %(count)d characters.") % {"count": SCAN_MAX_LENGTH})
    reported = form.getlist("anomaly")
    add = str(form.get("add", ""))
    if any(code not in ADDABLE for code in [*reported, *([add] if add else [])]):
        raise _invalid("anomaly", gettext("Only damage on the way back or an empty box can be added here."))
    return Desk(
        code=codes.normalise(str(form.get("code", ""))),
        scans=scans,
        reported=list(dict.fromkeys(reported)),
        typed=typed,
        add=add,
        token=posted_token(form),
    )


# --- /seller/receiving ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(SELLER)
def receiving(request: HttpRequest, actor: Actor) -> HttpResponse:
    """GET: the empty scan form, or with ``?received=<code>`` what that receipt recorded. POST: a
    scan, an anomaly button, or the receipt (see the module's docstring)."""
    if request.method != "POST":
        received = request.GET.get("received", "").strip()
        context: dict[str, Any] = {"token": form_token(), "addable": ADDABLE}
        if received:
            ret = return_get_for_actor(code=received, actor=actor)
            receipt = receiving_selectors.receipt_lines(ret)
            context |= {"received": ret, "receipt": receipt, "anomalies": list(ret.anomalies.all())}
        return render(request, RECEIVING_PAGE, context)
    desk = desk_input(request.POST)
    if not desk.code:
        return _look_up(request, actor, desk)
    if desk.add:
        toggled = [code for code in desk.reported if code != desk.add]
        if len(toggled) == len(desk.reported):
            toggled.append(desk.add)
        return _tally_page(request, actor, Desk(desk.code, desk.scans, toggled, token=desk.token))
    if desk.typed and not scan_names_code(desk.typed, desk.code):
        return _tally_page(request, actor, Desk(desk.code, [*desk.scans, desk.typed], desk.reported, token=desk.token))
    return _record(request, actor, desk)


def _look_up(request: HttpRequest, actor: Actor, desk: Desk) -> HttpResponse:
    """The return a first scan names: its lines to scan against; else the offer to record the
    parcel as unidentified."""
    context: dict[str, Any] = {"token": desk.token, "addable": ADDABLE}
    if not desk.typed:
        return render(request, RECEIVING_PAGE, context)
    code = receiving_selectors.return_code_for_scan(actor=actor, text=desk.typed)
    if code is None:
        number = tracking.normalise(desk.typed)
        context |= {"not_found": desk.typed, "tracking_number": number if tracking.scheme_of(number) else ""}
        return render(request, RECEIVING_PAGE, context)
    return _tally_page(request, actor, Desk(code, token=desk.token))


def _tally_page(
    request: HttpRequest, actor: Actor, desk: Desk, *, problem: ReturndeskError | None = None
) -> HttpResponse:
    """The return's lines with the units scanned so far; an item on no line, or past its
    quantity, shows as such."""
    ret = return_get_for_actor(code=desk.code, actor=actor)
    counted = tally(receiving_selectors.expected_lines(ret), [Scan(ScanKey.ITEM, scan) for scan in desk.scans])
    titles = {line.order_line.external_id: line.order_line.title for line in ret.lines.all()}
    context: dict[str, Any] = {
        "ret": ret,
        "token": desk.token,
        "addable": ADDABLE,
        "scans": desk.scans,
        "reported": desk.reported,
        "rows": [
            {"line": line, "title": titles[line.line], "gtin14": gtin14(line.gtin) or ""} for line in counted.lines
        ],
        "unmatched": counted.unmatched,
        "last_scan": desk.scans[-1] if desk.scans else "",
    }
    if problem is None and Status(ret.status) not in receiving_selectors.RECEIVABLE:
        problem = transition_refused(Status(ret.status), Action.RECEIVE)
    if problem is not None:
        return render_problem(request, RECEIVING_PAGE, context, problem)
    return render(request, RECEIVING_PAGE, context)


def _record(request: HttpRequest, actor: Actor, desk: Desk) -> HttpResponse:
    """The receipt, through the API's service: no item scanned means everything arrived. Then to
    what it recorded (303); a refusal is the tally again with the problem."""
    scans = [Scan(ScanKey.ITEM, scan) for scan in desk.scans] or None
    reported = [Reported(Anomaly(code)) for code in desk.reported]
    try:
        code = once_per_token(
            actor=actor,
            token=desk.token,
            path=request.path,
            fingerprint={"code": desk.code, "scans": desk.scans, "anomalies": desk.reported},
            effect=lambda: (
                receiving_services.receiving_record(code=desk.code, actor=actor, scans=scans, reported=reported).code
            ),
        )
    except ReturndeskError as error:
        return _tally_page(request, actor, desk, problem=error)
    return HttpResponseRedirect(f"{RECEIVING_PATH}?received={code}", status=303)


# --- /seller/parcels -------------------------------------------------------------------------------


def _parcel_form(form: QueryDict) -> ParcelIn:
    values = {name: str(form.get(name, "")).strip() for name in ("tracking_number", "sender_name", "contents", "note")}
    if not values["tracking_number"]:
        del values["tracking_number"]
    return checked(ParcelIn, values, source="form")


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(SELLER)
def parcels(request: HttpRequest, actor: Actor) -> HttpResponse:
    """GET: the unmatched parcels, newest first, each with a form to match it by scanning a
    return code, and the form to record one (``?tracking_number=`` fills its number in). POST:
    record one (303 back; a double submit records once)."""
    if request.method != "POST":
        return _parcels_page(request, actor, typed={"tracking_number": request.GET.get("tracking_number", "")})
    typed = {name: str(request.POST.get(name, "")) for name in ("tracking_number", "sender_name", "contents", "note")}
    try:
        wanted = _parcel_form(request.POST)
        parcel_id = once_per_token(
            actor=actor,
            token=str(request.POST.get("token", "")),
            path=request.path,
            fingerprint=wanted.model_dump(),
            effect=lambda: (
                receiving_services.parcel_create(
                    actor=actor,
                    tracking_number=wanted.tracking_number,
                    sender_name=wanted.sender_name,
                    contents=wanted.contents,
                    note=wanted.note,
                ).public_id
            ),
        )
    except ReturndeskError as error:
        return _parcels_page(request, actor, typed=typed, problem=error)
    return HttpResponseRedirect(f"{PARCELS_PATH}?recorded={parcel_id}", status=303)


@require_POST
@portal_view(SELLER)
def parcel_match(request: HttpRequest, actor: Actor, parcel_id: str) -> HttpResponse:
    """Match a parcel to the return whose code was scanned, receiving it (everything arrived);
    then to what the receipt recorded (303). A refusal is the parcels page with the problem."""
    try:
        wanted = checked(MatchIn, {"code": str(request.POST.get("code", "")).strip()}, source="form")
        code = once_per_token(
            actor=actor,
            token=str(request.POST.get("token", "")),
            path=request.path,
            fingerprint={"code": codes.normalise(wanted.code)},
            effect=lambda: receiving_services.parcel_match(parcel_id=parcel_id, actor=actor, code=wanted.code).code,
        )
    except ReturndeskError as error:
        return _parcels_page(request, actor, problem=error)
    return HttpResponseRedirect(f"{RECEIVING_PATH}?received={code}", status=303)


def _parcels_page(
    request: HttpRequest, actor: Actor, *, typed: dict[str, str] | None = None, problem: ReturndeskError | None = None
) -> HttpResponse:
    """One read: a page of the seller's unmatched parcels (one query)."""
    rows, next_cursor = receiving_selectors.parcels_list(
        actor=actor, status=ParcelStatus.UNMATCHED, limit=PARCELS_PER_PAGE, cursor=request.GET.get("cursor") or None
    )
    context = {
        "parcels": rows,
        "next_page": f"?cursor={next_cursor}" if next_cursor else None,
        "typed": typed or {},
        "token": form_token(),
        "recorded": request.GET.get("recorded", ""),
    }
    if problem is not None:
        return render_problem(request, PARCELS_PAGE, context, problem)
    return render(request, PARCELS_PAGE, context)
