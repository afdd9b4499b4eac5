"""What every endpoint shares: the caller, responses, declared error statuses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from pydantic import BaseModel

from returndesk.core.actors import Actor
from returndesk.core.problems import ProblemOut


def actor_of(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def respond(status: int, schema: type[BaseModel], data: Any) -> HttpResponse:
    """Render ``data`` (the ORM object an Out schema reads, or a dict) as the declared schema.

    The rendered bytes are what an idempotent replay answers again.
    """
    answer = schema.model_validate(data, from_attributes=True)
    return HttpResponse(answer.model_dump_json(), status=status, content_type="application/json")


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """Problem-details responses to declare in OpenAPI, beside the ones every authed route has."""
    return dict.fromkeys((401, 422, *statuses), ProblemOut)
