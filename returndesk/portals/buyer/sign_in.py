"""Buyers sign in by link: ask for one by email, open it, confirm.

Opening a link (GET) consumes nothing, so mail scanners and link previews that fetch it leave
it working; the Sign in button (POST) uses it, once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from returndesk.accounts.auth import buyer_sign_in
from returndesk.accounts.services import buyer_sign_in_request
from returndesk.core.clients import public_origin, request_client_address
from returndesk.core.errors import ReturndeskError
from returndesk.portals.buyer.forms import form_token
from returndesk.portals.common.views import form_problem, render_problem

PAGE = "portals/buyer/sign_in_page.html"
LINK_PAGE = "portals/buyer/link.html"
# The link page's own token (``forms.form_token``, 32 characters); anything longer is not ours.
LINK_FORM_MAX_LENGTH = 64


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)


def _context(**extra: Any) -> dict[str, Any]:
    return {"email_form": EmailForm(), **extra}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_request(request: HttpRequest) -> HttpResponse:
    """The Email form; its POST mails each buyer with the address a link and answers the same
    page whether or not any buyer has it."""
    if request.method != "POST":
        return render(request, PAGE, _context())
    form = EmailForm(request.POST)
    context = _context(email_form=form)
    if not form.is_valid():
        return render_problem(request, PAGE, context, form_problem(form, str(_("Enter an email address."))))
    try:
        buyer_sign_in_request(
            email=form.cleaned_data["email"], client=request_client_address(request), origin=public_origin(request)
        )
    except ReturndeskError as error:
        return render_problem(request, PAGE, context, error)
    return render(request, PAGE, {**context, "email_form": EmailForm(), "sent_to": form.cleaned_data["email"]})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with Sign in, using nothing. POST: use the link (once; the same page's Sign in
    pressed again soon after too), sign the buyer in under a new session key, and go to the
    return it names or the buyer's start page."""
    if request.method != "POST":
        return render(request, LINK_PAGE, _context(form=form_token()))
    form = str(request.POST.get("form", ""))
    try:
        _actor, return_code = buyer_sign_in(
            request, token=token, form=form if len(form) <= LINK_FORM_MAX_LENGTH else ""
        )
    except ReturndeskError as error:
        return render_problem(request, PAGE, _context(), error)
    return HttpResponseRedirect(f"/buyer/returns/{return_code}" if return_code else "/buyer/", status=303)
