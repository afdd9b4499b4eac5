"""What every endpoint shares: bearer-key authentication, responses, declared error statuses."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.security import HttpBearer

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


def respond(status: int, schema: type[Schema], data: Any) -> HttpResponse:
    """Validate ``data`` against the declared schema and render it (also for idempotent replays)."""
    body = schema.model_validate(data).model_dump(mode="json")
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type="application/json")


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """Problem-details responses to declare in OpenAPI, beside the ones every authed route has."""
    return dict.fromkeys((401, 422, *statuses), ProblemOut)
