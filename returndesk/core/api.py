"""What every endpoint shares: the caller, responses, declared error statuses, and how a request's
body and query are read."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from ninja import Schema
from ninja.parser import Parser
from pydantic import BaseModel

from returndesk.core.actors import Actor
from returndesk.core.errors import ValidationFailed
from returndesk.core.problems import ProblemOut

View = TypeVar("View", bound=Callable[..., Any])


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


class JsonObjectParser(Parser):
    """Request bodies are UTF-8 JSON objects whose text the database can store.

    ninja turns any parser error into a 400 whose cause is that error; the API's handler answers
    a ``ReturndeskError`` cause as itself, anything else as ``malformed_json``.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        text = request.body.decode()  # JSON between systems is UTF-8 (RFC 8259, 8.1)
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValidationFailed(
                "The request body must be a JSON object.",
                errors=[{"loc": ["body"], "msg": "Input should be a JSON object", "type": "body_not_object"}],
            )
        if ("\\ud" in text or "\\uD" in text) and not _storable(data):
            raise ValidationFailed(
                "Text may not contain a lone surrogate escape (\\ud800 to \\udfff outside a pair).",
                errors=[{"loc": ["body"], "msg": "lone surrogate", "type": "lone_surrogate"}],
            )
        return data


def _storable(data: dict[str, Any]) -> bool:
    # A \\udXXX escape outside a pair decodes to a string no database encoding can hold.
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def query_open(view: View) -> View:
    """Let a route take query parameters it does not declare (health: probes add their own)."""
    view.query_open = True  # type: ignore[attr-defined]
    return view


def query_strict(view: View) -> View:
    """Refuse query parameters a route does not declare, and a single-valued one given twice.

    ninja reads only the parameters a route declares and keeps the last of repeated ones, so
    ``?colour=red`` or ``?status=approved&status=rejected`` would otherwise be answered as if
    unsaid. Installed on the whole API as an operation decorator, so it runs after the key is
    checked and the declared parameters are validated.
    """
    if getattr(view, "query_open", False):
        return view
    declared: set[str] = set()
    repeatable: set[str] = set()
    for model in view._ninja_operation.models:  # type: ignore[attr-defined]
        if model.__ninja_param_source__ == "query":
            declared.update(model.__ninja_flatten_map__)
            repeatable.update(model.__ninja_collection_fields__)

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.META.get("QUERY_STRING"):
            _check_query(request, declared, repeatable)
        return view(request, *args, **kwargs)

    return checked  # type: ignore[return-value]


def _check_query(request: HttpRequest, declared: set[str], repeatable: set[str]) -> None:
    errors = [
        {"loc": ["query", name], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
        if name not in declared
        else {"loc": ["query", name], "msg": "Give this parameter once", "type": "repeated_parameter"}
        for name, values in request.GET.lists()
        if name not in declared or (len(values) > 1 and name not in repeatable)
    ]
    if errors:
        names = ", ".join(repr(error["loc"][1]) for error in errors)
        raise ValidationFailed(f"Unknown or repeated query parameters: {names}.", errors=errors)
