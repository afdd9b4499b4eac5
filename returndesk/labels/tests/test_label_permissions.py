"""The permission matrix of the labels routes: platform, seller A (the return's) and B, two
carriers, an agent, and no key. The return is approved, so a refusal is only ever about who asks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from returndesk.api import api
from returndesk.core.problems import CONTENT_TYPE as PROBLEM
from returndesk.core.problems import TYPE_BASE
from returndesk.labels.models import QrKey
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.testing import Keys

SCHEMA = api.get_openapi_schema()
JSON, PDF = "application/json", "application/pdf"
OK, PDF_OK = (200, JSON, None), (200, PDF, None)
UNAUTH = (401, PROBLEM, TYPE_BASE + "unauthenticated")
FORBIDDEN = (403, PROBLEM, TYPE_BASE + "forbidden")
NOT_FOUND = (404, PROBLEM, TYPE_BASE + "not_found")

CALLERS = ("platform", "seller_a", "seller_b", "carrier", "carrier_b", "agent", None)
MATRIX = {
    # route                                  platform  seller_a  seller_b   carrier    carrier_b  agent     no key
    "GET /returns/{code}/label.pdf": (PDF_OK, PDF_OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, PDF_OK, UNAUTH),
    "GET /returns/{code}/packing-slip.pdf": (PDF_OK, PDF_OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, PDF_OK, UNAUTH),
    "GET /keys/qr": (OK, OK, OK, OK, OK, OK, OK),
}
CASES = [
    pytest.param(route, caller, expected, id=f"{route} as {caller or 'no key'}")
    for route, row in MATRIX.items()
    for caller, expected in zip(CALLERS, row, strict=True)
]


@pytest.fixture
def approved(keys: Keys, make_return: Callable[..., Return]) -> Return:
    keys.make("carrier_b", role="carrier", carrier="other-post")
    return return_to(make_return(), Status.APPROVED)


def _answer(keys: Keys, route: str, caller: str | None, code: str) -> tuple[int, str, Any]:
    method, template = route.split(" ")
    response = keys.client(caller).generic(method, "/api/v1" + template.format(code=code))
    media_type = response["Content-Type"].partition(";")[0]
    problem_type = response.json().get("type") if media_type != PDF else None
    return response.status_code, media_type, problem_type


def test_the_matrix_covers_every_labels_operation() -> None:
    labelled = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, methods in SCHEMA["paths"].items()
        for method, operation in methods.items()
        if "labels" in operation["tags"]
    }

    assert set(MATRIX) == labelled


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(keys: Keys, approved: Return, route: str, caller: str | None, expected: tuple) -> None:
    answer = _answer(keys, route, caller, approved.code)

    assert answer == expected
    method, template = route.split(" ")
    assert answer[0] in SCHEMA["paths"]["/api/v1" + template][method.lower()]["responses"]


@pytest.mark.parametrize(("route", "caller", "expected"), [case for case in CASES if case.values[2][0] >= 400])
def test_a_refused_request_signs_nothing_and_changes_nothing(
    keys: Keys, approved: Return, route: str, caller: str | None, expected: tuple
) -> None:
    before = (list(QrKey.objects.values()), list(Return.objects.values()), ReturnEvent.objects.count())

    assert _answer(keys, route, caller, approved.code)[0] == expected[0]
    assert (list(QrKey.objects.values()), list(Return.objects.values()), ReturnEvent.objects.count()) == before


def test_another_sellers_return_answers_exactly_like_a_missing_one(keys: Keys, approved: Return) -> None:
    client = keys.client("seller_b")

    other = client.get(f"/api/v1/returns/{approved.code}/label.pdf")
    missing = client.get(f"/api/v1/returns/{'0' * 13}/label.pdf")

    assert (other.status_code, other.content) == (missing.status_code, missing.content)
