"""The JSON API, version 1: routers, authentication and the one error format."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from returndesk.accounts.auth import ApiKeyAuth
from returndesk.core.errors import MalformedJson, NotFound, ReturndeskError, Unauthenticated, ValidationFailed
from returndesk.core.problems import CONTENT_TYPE, problem_response
from returndesk.marketplace.api import router as orders_router
from returndesk.returns.api import codes_router
from returndesk.returns.api import router as returns_router


class ReturndeskAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Declare error bodies as ``application/problem+json``, which is what they are."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in response:
                        response["content"] = {CONTENT_TYPE: response["content"]["application/json"]}
        return schema


api = ReturndeskAPI(
    title="returndesk",
    version="1",
    description="Returns for online marketplaces: orders, returns, return codes and their lifecycle.",
    auth=ApiKeyAuth(),
    urls_namespace="api-v1",
)


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
    # django-ninja raises HttpError(400) for a body it cannot parse; nothing else here does.
    if error.status_code == 400:
        return problem_response(MalformedJson("The request body could not be parsed as JSON."))
    raise error


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem_response(NotFound())


class HealthOut(Schema):
    status: str


@api.get("/health", auth=None, response={200: HealthOut}, tags=["health"])
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness: answers without a key and without touching the database."""
    return {"status": "ok"}


api.add_router("", orders_router)
api.add_router("", returns_router)
api.add_router("", codes_router)
