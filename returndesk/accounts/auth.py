"""Who is calling: a bearer API key becomes the ``Actor`` every service receives."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from returndesk.accounts.selectors import apikey_authenticate
from returndesk.core.actors import Actor, ActorKind, StaffRole


class ApiKeyAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Actor | None:
        # Straight from META: ``request.headers`` copies every header on each request.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        return apikey_authenticate(token=token)


def session_actor(request: HttpRequest) -> Actor | None:
    """The person signed in on this request's session as an ``Actor``, or None when signed out.

    A stand-in until staff memberships and buyer sign-in land: a signed-in, active Django user
    marked ``is_staff`` acts as customer service (a superuser as a supervisor). Portals rely only
    on this function's name and signature.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    supervisor = bool(user.is_superuser)
    return Actor(
        kind=ActorKind.AGENT,
        id=f"user:{user.pk}",
        supervisor=supervisor,
        staff_role=StaffRole.SUPERVISOR if supervisor else StaffRole.AGENT,
    )
