"""RFC 9457 problem details: the one error body of the API."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja import Schema

from returndesk.core.errors import RateLimited, ReturndeskError

CONTENT_TYPE = "application/problem+json"
# A URN, not a URL: the code is the identifier, and no page pretends to be behind it.
TYPE_BASE = "urn:returndesk:problem:"


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


def problem_body(error: ReturndeskError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
    }
    if error.errors is not None:
        body["errors"] = error.errors
    body.update(error.extra)
    return body


def problem_headers(error: ReturndeskError) -> dict[str, str]:
    """The headers an answer carrying ``error`` needs besides its body, for the API and pages alike."""
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="returndesk"'
    return headers


def problem_response(error: ReturndeskError) -> HttpResponse:
    body = json.dumps(problem_body(error), separators=(",", ":"))
    return HttpResponse(body, status=error.status, content_type=CONTENT_TYPE, headers=problem_headers(error))
