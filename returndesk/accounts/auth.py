"""Who is calling: a bearer API key becomes the ``Actor`` every service receives."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from returndesk.accounts.selectors import apikey_authenticate
from returndesk.core.actors import Actor


class ApiKeyAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Actor | None:
        # Straight from META: ``request.headers`` copies every header on each request.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        return apikey_authenticate(token=token)
