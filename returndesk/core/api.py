"""What every endpoint shares: bearer-key authentication, responses, declared error statuses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.security import HttpBearer
from pydantic import BaseModel

from returndesk.accounts.actors import Actor
from returndesk.accounts.selectors import apikey_authenticate
from returndesk.core.problems import ProblemOut


class ApiKeyAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Actor | None:
        # Straight from META: ``request.headers`` copies every header on each request.
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        return apikey_authenticate(token=token)


def actor_of(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def respond(status: int, schema: type[BaseModel], data: Any) -> HttpResponse:
    """Validate ``data`` against the declared schema and render it (also for idempotent replays)."""
    return HttpResponse(schema.model_validate(data).model_dump_json(), status=status, content_type="application/json")


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """Problem-details responses to declare in OpenAPI, beside the ones every authed route has."""
    return dict.fromkeys((401, 422, *statuses), ProblemOut)
