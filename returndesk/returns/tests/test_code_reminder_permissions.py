"""Who may ask for a return code by mail: the permission matrix of the two code-reminder routes.

Anyone may ask for their codes by address and order (no key; a key sent is not even read); only
the platform and customer service re-send a return's code, every other key 403
``forbidden_action`` before the code is looked up, as on every return action.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase

from returndesk.core.models import RateCounter
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing.api_matrix import (
    ACCEPTED,
    CALLERS,
    FORB_ACTION,
    JSON,
    UNAUTH,
    answer,
    declared,
    matrix_cases,
    operations_tagged,
    resolve,
)

OK = ACCEPTED  # 202: the request is taken
NO = FORB_ACTION  # no such return action for this key, whichever return the code names

# CALLERS: seller_a sold the order; seller_b is another seller; two carriers; None sends no key.
MATRIX = {
    # route                               platform seller_a seller_b carrier carrier_b agent no key
    "POST /code-reminders":               (OK,     OK,      OK,      OK,     OK,       OK,   OK),
    "POST /returns/{code}/code-reminder": (OK,     NO,      NO,      NO,     NO,       OK,   UNAUTH),
}  # fmt: skip
CASES = matrix_cases(CALLERS, MATRIX)


def test_the_matrix_covers_every_code_reminders_operation():
    assert set(MATRIX) == operations_tagged("code reminders")


@pytest.fixture
def code(keys, make_order, make_return) -> str:
    """An approved return of S-A's for ana@example.com, order number 80001; a second carrier's key."""
    keys.make("carrier_b", role="carrier", carrier="other-post")
    order = make_order(number="80001", buyer=buyer_payload("B-ANA", email="ana@example.com"))
    return return_to(make_return(order=order), Status.APPROVED).code


def _request(keys, route: str, caller: str | None, code: str):
    _, path = resolve(route, code=code)
    body = {"order": "80001", "email": "ana@example.com"} if route == "POST /code-reminders" else {}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return keys.client(caller).post(path, body, content_type=JSON)


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_permission_matrix(keys, code, route, caller, expected):
    response = _request(keys, route, caller, code)

    assert answer(response) == expected
    assert response.status_code in declared(route)
    # Whoever asks, the mail goes to the buyer's address on file, or nowhere.
    assert [message.to for message in mail.outbox] == ([["ana@example.com"]] if expected == OK else [])


@pytest.mark.parametrize(("route", "caller", "expected"), matrix_cases(CALLERS, MATRIX, refused=True))
def test_a_refused_resend_changes_and_counts_nothing(keys, code, route, caller, expected):
    events = list(ReturnEvent.objects.values_list("id", flat=True))

    response = _request(keys, route, caller, code)

    assert response.status_code == expected[0]
    assert (list(ReturnEvent.objects.values_list("id", flat=True)), RateCounter.objects.count()) == (events, 0)


@pytest.mark.parametrize("caller", ["seller_a", "seller_b", "carrier", "carrier_b"])
def test_a_refused_key_learns_nothing_of_the_code(keys, code, caller):
    real = _request(keys, "POST /returns/{code}/code-reminder", caller, code)
    made_up = _request(keys, "POST /returns/{code}/code-reminder", caller, "0" * 13)

    assert (real.status_code, real.content) == (made_up.status_code, made_up.content)
