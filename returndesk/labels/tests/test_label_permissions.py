"""The permission matrix of the labels routes: platform, seller A (the return's) and B, two
carriers, an agent, and no key. The return is approved, so a refusal is only ever about who asks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from returndesk.labels.models import QrKey
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.testing import Keys
from returndesk.testing.api_matrix import (
    CALLERS,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    PDF,
    UNAUTH,
    Expected,
    answer,
    declared,
    matrix_cases,
    operations_tagged,
    resolve,
)

PDF_OK = (200, PDF, None)
MATRIX = {
    # route                                  platform  seller_a  seller_b   carrier    carrier_b  agent     no key
    "GET /returns/{code}/label.pdf": (PDF_OK, PDF_OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, PDF_OK, UNAUTH),
    "GET /returns/{code}/packing-slip.pdf": (PDF_OK, PDF_OK, NOT_FOUND, FORBIDDEN, FORBIDDEN, PDF_OK, UNAUTH),
    "GET /keys/qr": (OK, OK, OK, OK, OK, OK, OK),
}
CASES = matrix_cases(CALLERS, MATRIX)


@pytest.fixture
def approved(keys: Keys, make_return: Callable[..., Return]) -> Return:
    keys.make("carrier_b", role="carrier", carrier="other-post")
    return return_to(make_return(), Status.APPROVED)


def _answer(keys: Keys, route: str, caller: str | None, code: str) -> Expected:
    return answer(keys.client(caller).generic(*resolve(route, code=code)))


def test_the_matrix_covers_every_labels_operation() -> None:
    assert set(MATRIX) == operations_tagged("labels")


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(keys: Keys, approved: Return, route: str, caller: str | None, expected: Expected) -> None:
    got = _answer(keys, route, caller, approved.code)

    assert got == expected
    assert got[0] in declared(route)


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, MATRIX, refused=True))
def test_a_refused_request_signs_nothing_and_changes_nothing(
    keys: Keys, approved: Return, route: str, caller: str | None, expected: Expected
) -> None:
    before = (list(QrKey.objects.values()), list(Return.objects.values()), ReturnEvent.objects.count())

    assert _answer(keys, route, caller, approved.code)[0] == expected[0]
    assert (list(QrKey.objects.values()), list(Return.objects.values()), ReturnEvent.objects.count()) == before


def test_another_sellers_return_answers_exactly_like_a_missing_one(keys: Keys, approved: Return) -> None:
    client = keys.client("seller_b")

    other = client.get(f"/api/v1/returns/{approved.code}/label.pdf")
    missing = client.get(f"/api/v1/returns/{'0' * 13}/label.pdf")

    assert (other.status_code, other.content) == (missing.status_code, missing.content)
