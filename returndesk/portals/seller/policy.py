"""The seller's return policy page (``/seller/policy``): the fields the platform lets the seller
edit, each with its bound beside it, the rest read-only, and the history of versions.

For the seller's managers; warehouse staff get the API's 403 ``forbidden_action``
(``policies.services.policy_edit_gate``). Save calls ``policy_put``, the API's PUT: a 422 shows
each value's ``code`` and ``msg`` beside its input; a saved policy shows its version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from returndesk.core.actors import Actor
from returndesk.core.errors import ValidationFailed
from returndesk.core.problems import problem_body
from returndesk.policies import selectors, services
from returndesk.policies.domain.policy import CLOCK_NAMES, POLICY_FIELDS, ReturnPolicy, policy_to_json
from returndesk.policies.domain.reasons import BUYER_CHOICE_REASONS, Reason
from returndesk.policies.errors import OutsidePlatformBounds
from returndesk.portals.common.views import SELLER, portal_view, render_problem
from returndesk.portals.seller.forms import json_number

POLICY_PAGE = "portals/seller/policy.html"
POLICY_PATH = "/seller/policy"
MONEY_FIELDS = ("return_shipping_fee", "keep_item_below")
LIST_FIELDS = ("non_returnable_categories", "non_returnable_skus")
NUMBER_FIELDS = ("window_days", "free_window_days", "free_returns_per_order")
TEXT_FIELDS = (*NUMBER_FIELDS, *MONEY_FIELDS, *LIST_FIELDS, "restocking_fee_percent")
CHOICE_REASONS = [reason for reason in Reason if reason in BUYER_CHOICE_REASONS]


def _money(text: str) -> dict[str, str]:
    """``"EUR 4.99, USD 5"`` as a money map; a malformed pair stays as typed (its currency code is
    then refused by the parser, beside the field)."""
    amounts: dict[str, str] = {}
    for pair in text.replace(";", ",").split(","):
        currency, _, amount = pair.strip().partition(" ")
        if currency:
            amounts[currency.upper()] = amount.strip()
    return amounts


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def policy_body(form: QueryDict, editable: tuple[str, ...]) -> dict[str, object]:
    """The PUT body the form says: the editable fields only (the others are shown, not sent)."""
    body: dict[str, object] = {}
    for name in editable:
        if name in NUMBER_FIELDS:
            body[name] = json_number(str(form.get(name, "")))
        elif name in MONEY_FIELDS:
            body[name] = _money(str(form.get(name, "")))
        elif name in LIST_FIELDS:
            body[name] = _lines(str(form.get(name, "")))
        elif name == "restocking_fee_percent":
            body[name] = str(form.get(name, "")).strip() or "0"
        elif name == "exchanges":
            body[name] = form.get(name) == "on"
        elif name == "return_shipping_paid_by":
            body[name] = {str(reason): form.get(f"paid_by_{reason}", "buyer") for reason in CHOICE_REASONS}
        elif name == "auto_approve":
            days = str(form.get("auto_approve_days", "")).strip()
            body[name] = {
                "reasons": [reason for reason in form.getlist("auto_approve_reasons") if reason],
                "max_line_paid": _money(str(form.get("auto_approve_max_line_paid", ""))),
                "max_days_since_delivery": json_number(days) if days else None,
            }
    return body


def _shown(value: object) -> str:
    """A read-only field's value in words: maps as ``key value`` pairs, lists one after another."""
    if isinstance(value, dict):
        return ", ".join(f"{key} {_shown(item)}" for key, item in value.items()) or "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    if value is None:
        return "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _money_text(amounts: object) -> str:
    assert isinstance(amounts, dict)
    return ", ".join(f"{currency} {amount}" for currency, amount in amounts.items())


def _form_values(policy: ReturnPolicy) -> dict[str, Any]:
    """What each input shows for ``policy``."""
    document = policy_to_json(policy)
    auto = document["auto_approve"]
    assert isinstance(auto, dict)
    return {
        **{name: document[name] for name in NUMBER_FIELDS},
        "restocking_fee_percent": document["restocking_fee_percent"],
        "return_shipping_fee": _money_text(document["return_shipping_fee"]),
        "keep_item_below": _money_text(document["keep_item_below"]),
        **{name: "\n".join(getattr(policy, name)) for name in LIST_FIELDS},
        "exchanges": policy.exchanges,
        "paid_by": {str(reason): str(policy.return_shipping_payer(reason)) for reason in CHOICE_REASONS},
        "auto_approve_reasons": [str(reason) for reason in policy.auto_approve.reasons],
        "auto_approve_max_line_paid": _money_text(auto["max_line_paid"]),
        "auto_approve_days": "" if auto["max_days_since_delivery"] is None else auto["max_days_since_delivery"],
    }


@dataclass(frozen=True)
class FieldError:
    code: str
    msg: str
    where: str  # the key or index within the field, when the error names one


def _field_errors(problem: dict[str, Any]) -> dict[str, list[FieldError]]:
    """The 422's ``errors`` by the field each names (``loc``'s second item, after ``body``)."""
    found: dict[str, list[FieldError]] = {}
    for error in problem.get("errors") or []:
        loc = [str(part) for part in error.get("loc", [])]
        name = loc[1] if len(loc) > 1 else ""
        code = str(error.get("code") or error.get("type") or "")
        found.setdefault(name, []).append(FieldError(code, str(error.get("msg", "")), ".".join(loc[2:])))
    return found


def _with_rows(context: dict[str, Any]) -> dict[str, Any]:
    """The payer of each buyer's-choice reason as (reason, payer) rows: templates cannot index."""
    paid_by = context["values"]["paid_by"]
    return context | {"paid_by_rows": [(str(reason), paid_by[str(reason)]) for reason in CHOICE_REASONS]}


def _context(view: selectors.SellerPolicy, **extra: Any) -> dict[str, Any]:
    bounds = view.bounds
    assert bounds is not None, "a seller's policy is bound by the default's seller_bounds"
    policy = view.in_force.policy
    editable = [name for name in POLICY_FIELDS if name in bounds.editable]
    read_only = [name for name in POLICY_FIELDS if name not in bounds.editable and name != "seller_bounds"]
    document = policy_to_json(policy)
    return {
        "view": view,
        "bounds": bounds,
        "max_fees": _money_text({currency: str(amount) for currency, amount in bounds.max_return_shipping_fee.items()}),
        "editable": editable,
        "read_only": [(name, _shown(document[name])) for name in read_only],
        "clock_names": CLOCK_NAMES,
        "values": _form_values(policy),
        "reasons": list(Reason),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view(SELLER)
def policy_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """GET: the policy in force and its history (``?saved=<version>`` after a Save). POST: Save,
    through the API's ``policy_put``; a refusal is the page again at 422, each error beside its field."""
    services.policy_edit_gate(actor)
    view = selectors.policy_get_own(actor=actor)
    if request.method != "POST":
        # Said only of the version in force: the page never claims a save it did not make.
        saved = request.GET.get("saved", "")
        in_force = str(view.in_force.version)
        return render(request, POLICY_PAGE, _with_rows(_context(view, saved=saved if saved == in_force else "")))
    assert view.seller is not None
    assert view.bounds is not None
    body = policy_body(request.POST, view.bounds.editable)
    try:
        saved_view = services.policy_put(actor=actor, seller=view.seller, body=body)
    except (OutsidePlatformBounds, ValidationFailed) as error:
        context = _context(view) | {"values": _typed(request.POST), "field_errors": _field_errors(problem_body(error))}
        return render_problem(request, POLICY_PAGE, _with_rows(context), error)
    return HttpResponseRedirect(f"{POLICY_PATH}?saved={saved_view.in_force.version}")


def _typed(form: QueryDict) -> dict[str, Any]:
    """The form's values as typed, to show them again beside their errors."""
    return {
        **{
            name: form.get(name, "") for name in (*NUMBER_FIELDS, *MONEY_FIELDS, *LIST_FIELDS, "restocking_fee_percent")
        },
        "exchanges": form.get("exchanges") == "on",
        "paid_by": {str(reason): form.get(f"paid_by_{reason}", "buyer") for reason in CHOICE_REASONS},
        "auto_approve_reasons": form.getlist("auto_approve_reasons"),
        "auto_approve_max_line_paid": form.get("auto_approve_max_line_paid", ""),
        "auto_approve_days": form.get("auto_approve_days", ""),
    }
