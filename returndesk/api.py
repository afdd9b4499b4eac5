"""The JSON API, version 1: routers, authentication and the one error format."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from returndesk.accounts.api import router as staff_router
from returndesk.accounts.auth import ApiKeyAuth
from returndesk.core.api import JsonObjectParser, query_open, query_strict
from returndesk.core.errors import (
    MalformedJson,
    NotFound,
    ReturndeskError,
    Unauthenticated,
    ValidationFailed,
    error_for_status,
)
from returndesk.core.problems import CONTENT_TYPE, problem_response
from returndesk.dropoffs.api import router as dropoffs_router
from returndesk.labels.api import router as labels_router
from returndesk.marketplace.api import router as orders_router
from returndesk.policies.api import router as policies_router
from returndesk.receiving.api import receive_router
from returndesk.receiving.api import router as parcels_router
from returndesk.refunds.api import returns_router as refund_actions_router
from returndesk.refunds.api import router as refunds_router
from returndesk.refunds.api_offers import router as offers_router
from returndesk.refunds.api_transactions import router as refund_transactions_router
from returndesk.returns.api import buyers_router, codes_router, eligibility_router
from returndesk.returns.api import router as returns_router

# Answered by core.middleware before any route runs: a path and query too long on every route,
# a body too large or not JSON on every route that takes one.
EDGE_STATUSES = (414,)
BODY_EDGE_STATUSES = (413, 415)
# The methods whose body core.middleware checks (too large, not JSON).
BODY_METHODS = frozenset({"post", "put", "patch"})


class ReturndeskAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._openapi_schemas: dict[str, Any] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """Built once per path prefix (ninja would rebuild it for every request to openapi.json)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._openapi_schemas:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            self._openapi_schemas[path_prefix] = _declare_edges(_bodies_are_objects(schema))
        return self._openapi_schemas[path_prefix]


def _bodies_are_objects(schema: Any) -> Any:
    """An optional body (``payload: EmptyIn | None = None``) may be left out, not sent as JSON
    ``null``: every body is a JSON object (``JsonObjectParser``), so the schema does not offer null."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                alternatives = content["schema"].get("anyOf", [])
                if {"type": "null"} not in alternatives:
                    continue
                kept = [alternative for alternative in alternatives if alternative != {"type": "null"}]
                content["schema"] = kept[0] if len(kept) == 1 else {**content["schema"], "anyOf": kept}
    return schema


def _declare_edges(schema: Any) -> Any:
    """Error bodies are ``application/problem+json``, which is what they are; the edge's own
    refusals are declared on every route they can reach (all but health, which promises only 200)."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                if int(status) >= 400 and "content" in response:
                    response["content"] = {CONTENT_TYPE: response["content"]["application/json"]}
            if set(responses) <= {200}:
                continue  # health: no key, no database, nothing but 200 to promise
            edges = EDGE_STATUSES + (BODY_EDGE_STATUSES if method in BODY_METHODS else ())
            for status in edges:
                responses[status] = {"description": HTTPStatus(status).phrase, "content": responses[422]["content"]}
    return schema


class ApiDocs(Swagger):
    """Swagger UI from django-ninja's own static files (ninja is an installed app) in a page of our
    own (``portals/api_docs.html``): ninja's lacks the page's language and leaves Swagger UI's grey
    texts below WCAG contrast; ``portals/api-docs.css`` darkens them."""

    template = "portals/api_docs.html"


api = ReturndeskAPI(
    title="returndesk",
    version="1",
    description="Returns for online marketplaces: orders, returns, return codes and their lifecycle.",
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
    parser=JsonObjectParser(),
    # No validator badge: the docs page loads nothing from another origin. No deep links: Swagger
    # UI nests each operation's link inside its button, which screen readers cannot reach apart.
    docs=ApiDocs(settings={"validatorUrl": None, "deepLinking": False}),
)
api.add_decorator(query_strict, mode="operation")


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": list(error.get("loc", [])), "msg": str(error.get("msg", "")), "type": error.get("type", "")}
        for error in errors
    ]


@api.exception_handler(ReturndeskError)
def _returndesk_error(request: HttpRequest, error: ReturndeskError) -> HttpResponse:
    return problem_response(error)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return problem_response(ValidationFailed(errors=_validation_errors(error.errors)))


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem_response(Unauthenticated("Send a live API key as 'Authorization: Bearer <key>'."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja raises HttpError(400) for a body its parser refused, with the parser's error
    # as the cause: our own refusals (a body that is not an object) answer as themselves.
    if isinstance(error.__cause__, ReturndeskError):
        return problem_response(error.__cause__)
    if error.status_code == 400:
        return problem_response(MalformedJson("The request body could not be parsed as JSON."))
    return problem_response(error_for_status(error.status_code)())


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem_response(NotFound())


class HealthOut(Schema):
    status: str


@api.get("/health", auth=None, response={200: HealthOut}, tags=["health"])
@query_open
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness: answers without a key and without touching the database."""
    return {"status": "ok"}


api.add_router("", orders_router)
api.add_router("", returns_router)
api.add_router("", codes_router)
api.add_router("", staff_router)
api.add_router("", buyers_router)
api.add_router("", dropoffs_router)
api.add_router("", labels_router)
api.add_router("", receive_router)
api.add_router("", refund_actions_router)
api.add_router("", refunds_router)
api.add_router("", refund_transactions_router)
api.add_router("", offers_router)
api.add_router("", parcels_router)
api.add_router("", eligibility_router)
api.add_router("", policies_router)
