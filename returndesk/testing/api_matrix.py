"""The permission matrices of the JSON API: what each kind of caller gets from each route.

A matrix is a table of its own tests: one row per route (``"POST /returns/{code}/approve"``, as
the OpenAPI schema names it without ``/api/v1``), one answer per caller, written with the named
expectations below. What the matrices share is here, so that every table is read, checked
against the schema and named the same way::

    MATRIX = {"GET /parcels/{id}": (OK, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, UNAUTH), ...}
    CASES = matrix_cases(CALLERS, MATRIX)

    def test_the_matrix_covers_every_parcels_route():
        assert set(MATRIX) == operations_tagged("parcels")

    @pytest.mark.parametrize(("route", "caller", "expected"), CASES)
    def test_permission_matrix(keys, route, caller, expected):
        method, path = resolve(route, id=...)
        response = keys.client(caller).generic(method, path, ...)
        assert answer(response) == expected
        assert response.status_code in declared(route)

Each test module keeps what only it knows: its scene, each route's body, what a refused
request must leave unchanged. Pages answer in another form (``testing.portal_clients``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest
from django.http import HttpResponse, HttpResponseBase

from returndesk.api import api
from returndesk.core.problems import CONTENT_TYPE as PROBLEM
from returndesk.core.problems import TYPE_BASE

__all__ = [
    "ACCEPTED",
    "CALLERS",
    "CREATED",
    "FORBIDDEN",
    "FORB_ACTION",
    "JSON",
    "NOT_FOUND",
    "OK",
    "PDF",
    "PREFIX",
    "UNAUTH",
    "Expected",
    "answer",
    "declared",
    "matrix_cases",
    "operations",
    "operations_tagged",
    "problem",
    "resolve",
]

# (status, media type, problem type): what a caller gets back, as ``answer`` reads a response.
Expected = tuple[int, str, str | None]

PREFIX = "/api/v1"
JSON, PDF = "application/json", "application/pdf"

# The callers of most matrices: the ``keys`` fixture's, seller_a owning the return, plus a second
# carrier's key (``carrier_b``, which the matrix's own fixture makes) for routes that tell
# carriers apart; None sends no key.
CALLERS: tuple[str | None, ...] = ("platform", "seller_a", "seller_b", "carrier", "carrier_b", "agent", None)


def problem(status: int, code: str) -> Expected:
    """A refusal: the problem-details answer (``core.problems``) with this status and code."""
    return status, PROBLEM, TYPE_BASE + code


OK: Expected = (200, JSON, None)
CREATED: Expected = (201, JSON, None)
ACCEPTED: Expected = (202, JSON, None)
UNAUTH = problem(401, "unauthenticated")
FORBIDDEN = problem(403, "forbidden")  # the caller's role may not use the route at all
FORB_ACTION = problem(403, "forbidden_action")  # may see it, may not act on it
NOT_FOUND = problem(404, "not_found")  # another's, answered exactly like a missing one


def matrix_cases(
    callers: Sequence[str | None], matrix: Mapping[str, Sequence[Expected]], *, refused: bool = False
) -> list[pytest.ParameterSet]:
    """The matrix's cells as ``(route, caller, expected)`` parameters, with ids such as
    ``"GET /returns as no key"``; ``refused``: only the cells answering an error, for the tests
    that a refused request changes nothing. A row answers for every caller, no more, no fewer."""
    return [
        pytest.param(route, caller, expected, id=f"{route} as {caller or 'no key'}")
        for route, row in matrix.items()
        for caller, expected in zip(callers, row, strict=True)
        if not refused or expected[0] >= 400
    ]


def operations() -> set[str]:
    """Every operation of the API, as a matrix names its routes: ``"GET /returns/{code}"``."""
    return {
        f"{method.upper()} {path.removeprefix(PREFIX)}"
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }


def operations_tagged(*tags: str) -> set[str]:
    """The operations carrying any of ``tags`` (a router's tags): what a matrix of those routes
    must cover, so that a route added later cannot go without its row."""
    return {
        f"{method.upper()} {path.removeprefix(PREFIX)}"
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method, operation in methods.items()
        if set(tags) & set(operation["tags"])
    }


def resolve(route: str, **values: object) -> tuple[str, str]:
    """The method and path to request for ``route``, its ``{placeholders}`` filled from ``values``."""
    method, template = route.split(" ")
    return method, PREFIX + template.format(**values)


def answer(response: HttpResponseBase) -> Expected:
    """What a caller got, to compare with a matrix's cell: the status, the media type (without
    parameters such as a charset), and the problem type of a JSON body (None when it has none).
    A PDF has no problem type to read."""
    media_type = response["Content-Type"].partition(";")[0]
    if media_type == PDF:
        return response.status_code, media_type, None
    assert isinstance(response, HttpResponse), f"a {media_type} answer is not streamed"
    return response.status_code, media_type, json.loads(response.content).get("type")


def declared(route: str) -> set[int]:
    """The statuses the OpenAPI schema declares for ``route``: every answer of a matrix must be
    one of them, or clients generated from the schema cannot read it."""
    method, template = route.split(" ")
    return set(api.get_openapi_schema()["paths"][PREFIX + template][method.lower()]["responses"])
