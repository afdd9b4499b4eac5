"""Exchanges: an inspected return resolved by goods, not money. Each accepted line names the
variant the buyer gets; the line's own variant for each is a ``replacement``, else ``exchange``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import ForbiddenAction
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.services import policy_put
from returndesk.refunds.exchanges import ExchangeLine, exchange_resolution, return_exchange
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.models import Return, ReturnLine
from returndesk.returns.services import return_inspect
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import NOW, Keys, frozen_clock

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def received(make_order: Callable[..., Order], keys: Keys) -> Callable[..., Return]:
    """A received return of a red lamp (L1, variant V-RED) and a cable (L2, V-USB-C) of S-A."""

    def make(**order: Any) -> Return:
        placed = make_order(
            lines=[
                line_payload("L1", quantity=2, unit_price="20.00", variant_id="V-RED"),
                line_payload("L2", unit_price="24.00", variant_id="V-USB-C"),
            ],
            **order,
        )
        ret = return_opened(
            order=placed,
            lines=[
                RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE),
                RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE),
            ],
            actor=keys.actors["platform"],
        )
        return return_to(ret, Status.RECEIVED)

    return make


def inspect(ret: Return, keys: Keys, *outcomes: LineOutcome) -> Return:
    lines = [
        LineInspection(line=line, outcome=outcome, condition=Condition.AS_NEW)
        for line, outcome in zip(("L1", "L2"), outcomes, strict=True)
    ]
    at = ret.updated_at + timedelta(hours=1)
    return return_inspect(code=ret.code, actor=keys.actors["seller_a"], lines=lines, now=at)


def exchange(keys: Keys, caller: str, ret: Return, lines: list[tuple[str, str]]) -> Any:
    body = {"lines": [{"line": line, "variant_id": variant} for line, variant in lines]}
    with frozen_clock(ret.updated_at + timedelta(hours=1)):
        return keys.client(caller).post(f"/api/v1/returns/{ret.code}/exchange", json.dumps(body), content_type=JSON)


@pytest.mark.parametrize(
    ("caller", "lines", "resolution"),
    [
        ("seller_a", [("L1", "V-RED"), ("L2", "V-USB-C")], "replacement"),
        ("platform", [("L2", "V-USB-C"), ("L1", "V-BLUE")], "exchange"),
    ],
)
def test_every_accepted_line_gets_its_variant(keys, received, caller, lines, resolution):
    ret = inspect(received(), keys, LineOutcome.ACCEPTED, LineOutcome.ACCEPTED)

    response = exchange(keys, caller, ret, lines)

    body = response.json()
    assert (response.status_code, body["status"], body["resolution"], body["next_deadline"]["action"]) == (
        200,
        "resolved",
        resolution,
        "close",
    )
    wanted = dict(lines)
    assert [(line["line"], line["exchange_variant_id"]) for line in body["lines"]] == [
        ("L1", wanted["L1"]),
        ("L2", wanted["L2"]),
    ]
    assert body["timeline"][-1]["data"] == {"lines": [{"line": line, "variant_id": v} for line, v in lines]}


def test_a_rejected_line_is_left_out(keys, received):
    ret = inspect(received(), keys, LineOutcome.REJECTED, LineOutcome.ACCEPTED)

    body = exchange(keys, "seller_a", ret, [("L2", "V-USB-C")]).json()

    assert (body["status"], body["resolution"]) == ("resolved", "replacement")


@pytest.mark.parametrize(
    ("lines", "status", "code"),
    [
        ([("L1", "V-RED")], 422, "exchange_incomplete"),
        ([("L1", "V-RED"), ("L2", "V-USB-C"), ("L9", "V-X")], 422, "line_not_in_return"),
        ([("L1", "V-RED"), ("L1", "V-BLUE")], 422, "duplicate_line"),
    ],
)
def test_an_exchange_names_each_accepted_line_once(keys, received, lines, status, code):
    ret = inspect(received(), keys, LineOutcome.ACCEPTED, LineOutcome.ACCEPTED)
    before = (list(Return.objects.values()), list(ReturnLine.objects.values()))

    response = exchange(keys, "seller_a", ret, lines)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert (list(Return.objects.values()), list(ReturnLine.objects.values())) == before


def test_a_rejected_line_cannot_be_exchanged(keys, received):
    ret = inspect(received(), keys, LineOutcome.REJECTED, LineOutcome.ACCEPTED)

    response = exchange(keys, "seller_a", ret, [("L1", "V-RED"), ("L2", "V-USB-C")])

    assert (response.status_code, response.json()["code"]) == (409, "line_not_accepted")


def test_a_policy_without_exchanges_refuses_it(keys, received):
    ret = received()
    # A policy changed after the return opened does not apply to it: the return's version does.
    policy_put(actor=keys.actors["platform"], seller="S-A", body={"exchanges": False}, now=NOW)
    allowed = inspect(ret, keys, LineOutcome.ACCEPTED, LineOutcome.ACCEPTED)
    assert exchange(keys, "seller_a", allowed, [("L1", "V-RED"), ("L2", "V-USB-C")]).status_code == 200

    refusing = inspect(received(), keys, LineOutcome.ACCEPTED, LineOutcome.ACCEPTED)
    response = exchange(keys, "seller_a", refusing, [("L1", "V-RED"), ("L2", "V-USB-C")])

    assert (response.status_code, response.json()["code"], Return.objects.get(pk=refusing.pk).status) == (
        422,
        "exchange_not_allowed",
        Status.INSPECTED,
    )


def test_only_an_inspected_return_is_exchanged(keys, received):
    response = exchange(keys, "seller_a", received(), [("L1", "V-RED"), ("L2", "V-USB-C")])

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize(
    ("pairs", "resolution"),
    [
        ([("V-RED", "V-RED")], "replacement"),
        ([("V-RED", "V-RED"), ("", "")], "replacement"),
        ([("V-RED", "V-RED"), ("V-USB-C", "V-USB-A")], "exchange"),
        ([("", "V-RED")], "exchange"),
    ],
)
def test_exchange_resolution(pairs, resolution):
    assert exchange_resolution(pairs) == resolution


def test_warehouse_staff_may_not_exchange(keys, received):
    ret = inspect(received(), keys, LineOutcome.ACCEPTED, LineOutcome.ACCEPTED)
    warehouse = Actor(
        kind=ActorKind.SELLER_USER, id="7", seller_id=ret.seller_id, staff_role=StaffRole.SELLER_WAREHOUSE
    )

    with pytest.raises(ForbiddenAction):
        return_exchange(code=ret.code, actor=warehouse, lines=[ExchangeLine("L1", "V-RED"), ExchangeLine("L2", "V-X")])

    assert Return.objects.get(pk=ret.pk).status == Status.INSPECTED
