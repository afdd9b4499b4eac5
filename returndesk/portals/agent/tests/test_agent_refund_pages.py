"""Customer service's refund queue: the refunds held, failed or awaiting a manual confirmation,
oldest first, with the buttons each transaction's state allows; Release pays a held refund and it
leaves the queue; Cancel needs a reason, as the API does."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from returndesk.policies.services import policy_put
from returndesk.refunds import services as refund_services
from returndesk.refunds.models import RefundTransaction
from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import NOW
from returndesk.testing.portal_clients import staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db) -> Client:
    return staff_client("agent@returndesk.example", "agent")


@pytest.fixture
def refunded(make_order, make_return, keys, django_capture_on_commit_callbacks):
    """``refunded(price, gateway)``: a refund of an inspected return of S-A's, whose policy holds
    refunds above 100.00 EUR, attempted at its gateway as after a commit."""
    # Only the platform sets a seller's hold limit.
    policy_put(actor=keys.actors["platform"], seller="S-A", body={"hold_refunds_above": {"EUR": "100.00"}}, now=NOW)

    def make(price: str, gateway: str = ""):
        order = make_order(
            lines=[line_payload("L1", unit_price=price)],
            payments=[{"method": "card", "gateway": gateway, "amount": str(Decimal(price) + 5)}],
        )
        ret = return_to(make_return(order=order), Status.INSPECTED)
        with django_capture_on_commit_callbacks(execute=True):
            refund_services.return_refund(code=ret.code, actor=keys.actors["seller_a"], request_key=ret.code)
        return ret.refunds.get()

    return make


def test_the_queue_lists_held_and_unconfirmed_refunds_oldest_first_with_their_buttons(agent, refunded):
    held = refunded("150.00")
    manual = refunded("20.00", gateway="manual")
    refunded("30.00")  # pending at the fake gateway: nothing to do

    text = agent.get("/agent/refunds").text

    assert re.findall(r'data-queue-refund="(\d+)" data-refund-status="(\w+)"', text) == [
        (str(held.pk), "held"),
        (str(manual.pk), "pending"),
    ]
    assert re.findall(r'data-form="refund-(\w+)"', text) == ["release", "cancel", "confirm"]


def test_release_pays_a_held_refund_out_and_it_leaves_the_queue(agent, refunded):
    held = refunded("150.00")

    answer = agent.post(f"/agent/refunds/{held.pk}/release", {"transaction": str(held.transactions.get().pk)})

    assert (answer.status_code, answer["Location"]) == (303, "/agent/refunds")
    assert held.transactions.get().status == "pending"
    assert f'data-queue-refund="{held.pk}"' not in agent.get("/agent/refunds").text


def test_cancel_without_a_reason_is_the_api_s_422_and_changes_nothing(agent, keys, refunded):
    held = refunded("150.00")

    answer = agent.post(f"/agent/refunds/{held.pk}/cancel", {"reason": " "})
    api = keys.client("agent").post(
        f"/api/v1/refunds/{held.pk}/cancel", {"reason": ""}, content_type="application/json"
    )

    assert (answer.status_code, api.status_code) == (422, 422)
    assert re.search(r'data-problem="(\w+)"', answer.text).group(1) == api.json()["code"]
    assert RefundTransaction.objects.get().status == "held"


def test_releasing_a_refund_not_held_is_the_api_s_409(agent, refunded):
    manual = refunded("20.00", gateway="manual")

    answer = agent.post(f"/agent/refunds/{manual.pk}/release", {})

    assert (answer.status_code, 'data-problem="refund_not_held"' in answer.text) == (409, True)


def test_the_queue_costs_the_same_queries_for_one_refund_as_for_three(agent, refunded, django_assert_num_queries):
    refunded("150.00")
    agent.get("/agent/refunds")
    # The session, the user, the membership; the refunds (with their returns, sellers and buyers),
    # their lines, the returns' lines, the transactions with their payments.
    with django_assert_num_queries(7):
        one = agent.get("/agent/refunds")
    refunded("160.00")
    refunded("170.00")
    with django_assert_num_queries(7):
        three = agent.get("/agent/refunds")

    assert (one.text.count("data-queue-refund="), three.text.count("data-queue-refund=")) == (1, 3)
