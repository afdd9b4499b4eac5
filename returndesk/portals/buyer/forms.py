"""The open-return form: one ``ReturnLineForm`` per returnable line of the order, each in its own
``<fieldset>``, and the one-time token that makes a double submit open one return."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from returndesk.core.idempotency import MAX_KEY_LENGTH
from returndesk.policies.domain.reasons import Reason
from returndesk.portals.buyer.words import PREFERRED_RESOLUTION
from returndesk.portals.common.words import REASON
from returndesk.returns.domain.requests import EXCHANGING_RESOLUTIONS, PreferredResolution, RequestedLine

# The API takes at most this many lines in one return; a longer form is not one of ours.
MAX_LINES = 100
MAX_QUANTITY = 100_000
NOTE_MAX_LENGTH = 2000


def form_token() -> str:
    """A new one-time form token: the form's Idempotency-Key."""
    return secrets.token_urlsafe(24)


def posted_token(data: Mapping[str, Any]) -> str:
    """The token a form came back with, or a new one when it came back without a usable one (the
    page shown again must carry a token that can work)."""
    token = str(data.get("token", ""))
    return token if 0 < len(token) <= MAX_KEY_LENGTH else form_token()


class ReturnLineForm(forms.Form):
    """How many units of one order line to return, and why. Zero units: the line is not returned."""

    line = forms.CharField(widget=forms.HiddenInput, max_length=100)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY, initial=0)
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("Choose a reason")), *((reason.value, REASON[reason]) for reason in Reason)],
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=NOTE_MAX_LENGTH)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("quantity") and not cleaned.get("reason"):
            self.add_error("reason", gettext("Choose why you return this item."))
        return cleaned

    def requested(self) -> RequestedLine | None:
        """The line as ``return_open`` takes it, or None when no unit of it is chosen."""
        data = self.cleaned_data
        if not data.get("quantity"):
            return None
        return RequestedLine(line=data["line"], quantity=data["quantity"], reason=Reason(data["reason"]),
                             note=data["note"])  # fmt: skip


class ResolutionForm(forms.Form):
    """What the buyer would like in the end; a policy without exchanges refuses two of them
    (``exchange_not_allowed``, from the service: the page and the API say the same)."""

    preferred_resolution = forms.ChoiceField(
        label=_("Preferred resolution"),
        choices=[(resolution.value, PREFERRED_RESOLUTION[resolution]) for resolution in PreferredResolution],
        initial=PreferredResolution.REFUND.value,
        # A form without the field (an older page) asks for a refund, as the API's default does.
        required=False,
    )


def resolution_choices(*, exchanges: bool) -> list[tuple[str, str]]:
    """The resolutions the form offers: exchange and replacement only where the policy allows them."""
    return [
        (resolution.value, str(PREFERRED_RESOLUTION[resolution]))
        for resolution in PreferredResolution
        if exchanges or resolution not in EXCHANGING_RESOLUTIONS
    ]


def line_prefix(index: int) -> str:
    return f"line-{index}"


def posted_line_forms(data: Mapping[str, Any]) -> list[ReturnLineForm]:
    """The line forms a submitted form holds, in the page's order: ``line-0-...``, ``line-1-...``."""
    found = []
    for index in range(MAX_LINES):
        prefix = line_prefix(index)
        if f"{prefix}-line" not in data:
            break
        found.append(ReturnLineForm(data, prefix=prefix))
    return found


def form_errors(line_forms: list[ReturnLineForm]) -> list[dict[str, Any]]:
    """Each field's problems as the API lists them: ``loc`` names the form field."""
    return [
        {"loc": ["form", form.add_prefix(name)], "msg": str(message), "type": "invalid"}
        for form in line_forms
        for name, messages in form.errors.items()
        for message in messages
    ]
