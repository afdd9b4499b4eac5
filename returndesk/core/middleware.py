"""Problem details for the API's error answers that never reach the API's own handlers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from returndesk.core.errors import MethodNotAllowed, NotFound, ReturndeskError, ServerError, ValidationFailed
from returndesk.core.problems import CONTENT_TYPE, problem_response

API_PREFIX = "/api/"


class ApiProblemsMiddleware:
    """Under /api/, turn Django's HTML or plain-text 404, 405 and 500 into problem+json.

    Unknown paths never reach django-ninja, a wrong method is answered by its router before any
    handler runs, and an unexpected exception becomes Django's HTML 500: integrators parsing
    ``code`` must get the same body shape for all of them.
    """

    _ERRORS: dict[int, type[ReturndeskError]] = {404: NotFound, 405: MethodNotAllowed, 500: ServerError}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = self._ERRORS.get(response.status_code)
        if (
            error is None
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            return response
        problem = problem_response(error())
        if response.has_header("Allow"):
            problem["Allow"] = response["Allow"]
        return problem


class RejectNulMiddleware:
    """Under /api/, refuse NUL characters anywhere in the path, query or body with a 422.

    PostgreSQL text cannot hold NUL, so one would otherwise surface as a 500 from whichever
    query first received it; no legitimate identifier, code or note contains one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and _has_nul(request):
            return problem_response(
                ValidationFailed(
                    "Text may not contain NUL characters.",
                    errors=[{"loc": ["request"], "msg": "NUL character", "type": "nul_character"}],
                )
            )
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return (
        "\x00" in request.path
        or "%00" in query
        or "\x00" in query
        or b"\x00" in request.body
        or b"\\u0000" in request.body
    )
