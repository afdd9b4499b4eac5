"""Staff sign-in, sign-out, password change and the forgotten-password mail.

Each view parses its form, calls one function of ``accounts`` and renders; a refusal, an invalid
form included (422 ``validation_error``), is shown as every page shows one: ``render_problem``,
with the API's status, code, title, detail and errors (``portals/common/problem.html``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic.edit import FormView

from returndesk.accounts.auth import sign_out, staff_sign_in
from returndesk.accounts.limits import link_request_count
from returndesk.core.actors import ActorKind
from returndesk.core.clients import public_origin, request_client_address
from returndesk.core.errors import RateLimited, ReturndeskError
from returndesk.portals.common.views import form_problem, render_problem

SIGN_IN_URL = "/sign-in/"
# Where each kind of staff member starts when ``next`` names nowhere.
_HOME_OF_KIND = {
    ActorKind.SELLER_USER: "/seller/",
    ActorKind.AGENT: "/agent/",
    ActorKind.CARRIER: "/counter/",
    ActorKind.BUYER: "/buyer/",
}


def local_path(candidate: str | None) -> str | None:
    """``candidate`` when it is a path on this site (``/seller/?status=requested``), else None:
    ``next`` must never send someone signing in to another site."""
    if not candidate or not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return None
    if any(character in candidate for character in "\\\r\n\t") or any(ord(c) < 32 for c in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return None
    return candidate


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email and password; then on to ``next`` (a local path) or the staff member's portal."""
    next_path = local_path(request.POST.get("next") or request.GET.get("next"))
    form = SignInForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "next": next_path or ""}
    if request.method != "POST":
        return render(request, "portals/common/sign_in.html", context)
    if not form.is_valid():
        return render_problem(request, "portals/common/sign_in.html", context, form_problem(form))
    try:
        actor = staff_sign_in(request, email=form.cleaned_data["email"], password=form.cleaned_data["password"])
    except ReturndeskError as error:
        return render_problem(request, "portals/common/sign_in.html", context, error)
    return HttpResponseRedirect(next_path or _HOME_OF_KIND.get(actor.kind, "/"), status=303)


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    """End the session, staff or buyer; back to the start page."""
    sign_out(request)
    return HttpResponseRedirect("/", status=303)


def _invalid(view: FormView[Any], form: forms.Form) -> HttpResponse:
    """Django's password forms answer their errors at 200; these pages answer them as every form
    does: 422 ``validation_error``, each field's messages listed."""
    return render_problem(
        view.request, view.get_template_names()[0], view.get_context_data(form=form), form_problem(form)
    )


_staff_only = method_decorator(login_required(login_url=SIGN_IN_URL), name="dispatch")


@_staff_only
class PasswordChange(auth_views.PasswordChangeView):
    """Change one's own password: this session goes on, every other session of theirs ends."""

    template_name = "portals/common/password_change.html"
    success_url = reverse_lazy("password-change-done")

    def form_invalid(self, form: Any) -> HttpResponse:
        return _invalid(self, form)


@_staff_only
class PasswordChangeDone(auth_views.PasswordChangeDoneView):
    template_name = "portals/common/password_change_done.html"


class PasswordReset(auth_views.PasswordResetView):
    """Mail a one-time password reset link: the same answer for known and unknown addresses,
    and the same limits as sign-in links (3 an hour per address, 20 per client)."""

    template_name = "portals/common/password_reset_form.html"
    email_template_name = "portals/common/password_reset_email.txt"
    subject_template_name = "portals/common/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    def form_invalid(self, form: Any) -> HttpResponse:
        return _invalid(self, form)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            link_request_count(email=form.cleaned_data["email"], client=request_client_address(self.request))
        except RateLimited as error:
            return render_problem(self.request, self.template_name, self.get_context_data(form=form), error)
        # The link points where RETURNDESK_PUBLIC_URL says, like a buyer's sign-in link.
        self.extra_email_context = {"origin": public_origin(self.request)}
        return super().form_valid(form)


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "portals/common/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "portals/common/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_invalid(self, form: Any) -> HttpResponse:
        return _invalid(self, form)


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "portals/common/password_reset_complete.html"
