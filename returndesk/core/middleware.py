"""The API's HTTP edge: refusals decided from the request line and headers, and problem details
for every error answer, whoever wrote it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from returndesk.core.errors import (
    HostNotAllowed,
    PayloadTooLarge,
    ReturndeskError,
    UnsupportedMediaType,
    UriTooLong,
    ValidationFailed,
    error_for_status,
)
from returndesk.core.problems import CONTENT_TYPE, problem_response

API_PREFIX = "/api/"
# Path and query string together; no route takes more than a code and a few filters.
MAX_TARGET_BYTES = 4096
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Headers of the original answer that still hold for its problem-details replacement.
_KEPT_HEADERS = ("Allow", "Retry-After")


class ApiProblemsMiddleware:
    """Under /api/, turn every error answer that is not problem details into problem details.

    Unknown paths never reach django-ninja, a wrong method is answered by its router before any
    handler runs, a bad Host header or an unexpected exception becomes Django's HTML 400 or 500:
    integrators parsing ``code`` must get the same body shape for all of them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            return response
        problem = problem_response(_error_for(request, response.status_code))
        for header in _KEPT_HEADERS:
            if response.has_header(header):
                problem[header] = response[header]
        return problem


def _error_for(request: HttpRequest, status: int) -> ReturndeskError:
    if status == 400:
        # Django answers a Host outside ALLOWED_HOSTS with a bare 400; asked again only on this
        # error path, so the hot path pays nothing to tell it apart.
        try:
            request.get_host()
        except DisallowedHost:
            return HostNotAllowed("The Host header names a host this server is not configured to answer for.")
    return error_for_status(status)()


class ApiRequestLimitsMiddleware:
    """Under /api/, refuse what no route could take before anything reads the body.

    In order: a path and query over ``MAX_TARGET_BYTES`` (414), a body announced larger than
    ``RETURNDESK["MAX_BODY_BYTES"]`` by its Content-Length (413: Django would otherwise answer
    an HTML 400 when the body is first read), a body that is not JSON (415), and a NUL character
    in the path, the query or a JSON body (422: PostgreSQL text cannot hold one, so it would
    surface as a 500 from whichever query first received it). Only JSON bodies are ever read
    here. HEAD is then answered as GET without the content.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        refusal = _refusal(request)
        if refusal is not None:
            return problem_response(refusal)
        if request.method != "HEAD":
            return self.get_response(request)
        # HEAD is GET without the content (RFC 9110, 9.3.2): same status and headers, Content-Length
        # included, and no route needs to declare it.
        request.method = "GET"
        response = self.get_response(request)
        if not response.streaming:
            response.content = b""
        return response


def _refusal(request: HttpRequest) -> ReturndeskError | None:
    meta = request.META
    query = meta.get("QUERY_STRING", "")
    # PATH_INFO is the WSGI string of the path's bytes, so its length counts bytes.
    target = len(meta.get("PATH_INFO", "")) + (len(query) + 1 if query else 0)
    if target > MAX_TARGET_BYTES:
        return UriTooLong(f"The path and query string may be at most {MAX_TARGET_BYTES} bytes; these are {target}.")
    length = _content_length(request)
    json_body = length > 0 and _is_json(request.content_type or "")
    if length > 0:
        limit = settings.RETURNDESK["MAX_BODY_BYTES"]
        if length > limit:
            return PayloadTooLarge(f"The request body may be at most {limit} bytes; this one is {length}.")
        if request.method in _BODY_METHODS and not json_body:
            return UnsupportedMediaType("Send the body as JSON, with 'Content-Type: application/json'.")
    if (
        "\x00" in request.path
        or "%00" in query
        or "\x00" in query
        or (json_body and (b"\x00" in request.body or b"\\u0000" in request.body))
    ):
        return nul_refusal()
    return None


def nul_refusal() -> ValidationFailed:
    """422 for text holding a NUL character, which PostgreSQL text cannot store: the API's answer,
    and the pages' (``portals.common.middleware``)."""
    return ValidationFailed(
        "Text may not contain NUL characters.",
        errors=[{"loc": ["request"], "msg": "NUL character", "type": "nul_character"}],
    )


def _content_length(request: HttpRequest) -> int:
    # As Django reads it: an unparsable length is no body at all.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_json(media_type: str) -> bool:
    """``application/json`` or a JSON-based type such as ``application/merge-patch+json``."""
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))
