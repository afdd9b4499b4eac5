"""Staff sign-in, sign-out, password change and the forgotten-password mail.

Each view parses its form, calls one function of ``accounts`` and renders; a refusal is shown
with the code, title and detail the API would give (``portals/common/problem.html``).
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

from returndesk.accounts.auth import session_actor, sign_out, staff_sign_in
from returndesk.accounts.limits import link_request_count
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.clients import public_origin, request_client_address
from returndesk.core.errors import RateLimited, ReturndeskError, ValidationFailed

SIGN_IN_URL = "/sign-in/"
# Where each kind of staff member starts when ``next`` names nowhere.
_HOME_OF_KIND = {
    ActorKind.SELLER_USER: "/seller/",
    ActorKind.AGENT: "/agent/",
    ActorKind.CARRIER: "/counter/",
    ActorKind.BUYER: "/buyer/",
}


def problem_of(error: ReturndeskError) -> dict[str, Any]:
    """What ``portals/common/problem.html`` shows: the API's problem members."""
    return {
        "status": error.status,
        "code": error.code,
        "title": error.title,
        "detail": error.detail,
        "errors": error.errors or [],
    }


def render_problem(
    request: HttpRequest, template: str, context: dict[str, Any], error: ReturndeskError
) -> HttpResponse:
    """``template`` with ``error`` shown in it, at the error's status (429 with Retry-After)."""
    response = render(request, template, {**context, "problem": problem_of(error)}, status=error.status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def signed_in_as(request: HttpRequest, actor: Actor | None = None) -> str:
    """Who the header says is signed in: a staff member's email, a buyer's id; empty for nobody."""
    actor = actor or session_actor(request)
    if actor is None:
        return ""
    return actor.id if actor.kind is ActorKind.BUYER else str(request.user.get_username())


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


def _form_problem(form: forms.Form) -> ValidationFailed:
    errors: list[dict[str, Any]] = [
        {"loc": ["form", field], "msg": str(message), "type": "invalid"}
        for field, messages in form.errors.items()
        for message in messages
    ]
    return ValidationFailed(" ".join(str(error["msg"]) for error in errors), errors=errors)


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email and password; then on to ``next`` (a local path) or the staff member's portal."""
    next_path = local_path(request.POST.get("next") or request.GET.get("next"))
    form = SignInForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "next": next_path or "", "signed_in_as": signed_in_as(request)}
    if request.method != "POST":
        return render(request, "portals/common/sign_in.html", context)
    if not form.is_valid():
        return render_problem(request, "portals/common/sign_in.html", context, _form_problem(form))
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


_staff_only = method_decorator(login_required(login_url=SIGN_IN_URL), name="dispatch")


@_staff_only
class PasswordChange(auth_views.PasswordChangeView):
    """Change one's own password: this session goes on, every other session of theirs ends."""

    template_name = "portals/common/password_change.html"
    success_url = reverse_lazy("password-change-done")


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


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "portals/common/password_reset_complete.html"
