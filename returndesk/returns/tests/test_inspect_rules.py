"""Inspecting lines: a verdict may not contradict itself, and a parcel holding another item than the
one sold records an ``item_mismatch`` anomaly beside the status."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from returndesk.policies.domain.reasons import Reason
from returndesk.returns import services
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.errors import ConditionContradictsOutcome
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent
from returndesk.scenarios.journeys import STEP, order_placed, return_opened, return_to
from returndesk.testing import iso

PROBLEM = "application/problem+json"


# --- The rule (pure) ------------------------------------------------------------------------------


def _verdict(outcome: LineOutcome, condition: Condition) -> tuple[str, Anomaly | None]:
    inspection = LineInspection(line="L1", outcome=outcome, condition=condition)
    try:
        inspection.check()
    except ConditionContradictsOutcome as error:
        return (error.code, inspection.anomaly)
    return ("ok", inspection.anomaly)


def test_only_an_item_accepted_as_not_the_item_contradicts_itself() -> None:
    verdicts = {
        (outcome, condition): _verdict(outcome, condition)
        for outcome, condition in product((LineOutcome.ACCEPTED, LineOutcome.REJECTED), Condition)
    }

    assert verdicts == {
        **{(LineOutcome.ACCEPTED, condition): ("ok", None) for condition in Condition},
        **{(LineOutcome.REJECTED, condition): ("ok", None) for condition in Condition},
        (LineOutcome.ACCEPTED, Condition.NOT_THE_ITEM): ("condition_contradicts_outcome", Anomaly.ITEM_MISMATCH),
        (LineOutcome.REJECTED, Condition.NOT_THE_ITEM): ("ok", Anomaly.ITEM_MISMATCH),
    }


# --- Through the service and the API --------------------------------------------------------------


@pytest.fixture
def received(db: None) -> Return:
    """A received return of one Lamp (L1) and one Cable (L2) of seller S-A."""
    ret = return_opened(
        order=order_placed(),
        lines=[
            RequestedLine(line="L1", quantity=1, reason=Reason.WRONG_ITEM),
            RequestedLine(line="L2", quantity=1, reason=Reason.CHANGED_MIND),
        ],
    )
    return return_to(ret, Status.RECEIVED)


def snapshot(ret: Return) -> dict[str, Any]:
    row = Return.objects.get(pk=ret.pk)
    return {
        "status": row.status,
        "updated_at": row.updated_at,
        "lines": list(row.lines.order_by("id").values_list("outcome", "condition")),
        "events": row.events.count(),
        "anomalies": row.anomalies.count(),
    }


def inspect(keys: Any, ret: Return, *lines: tuple[str, str, str]) -> Any:
    body = {"lines": [{"line": line, "outcome": outcome, "condition": condition} for line, outcome, condition in lines]}
    return keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/inspect", body, content_type="application/json")


@pytest.mark.database
def test_api_accepting_an_item_that_is_not_the_item_sold_is_refused(keys: Any, received: Return) -> None:
    before = snapshot(received)

    response = inspect(keys, received, ("L1", "accepted", "not_the_item"), ("L2", "accepted", "as_new"))

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:condition_contradicts_outcome",
        "title": "The line's condition contradicts its outcome",
        "status": 422,
        "detail": "Line 'L1' is not the item sold, so it cannot be accepted: reject it.",
        "code": "condition_contradicts_outcome",
    }
    assert snapshot(received) == before


@pytest.mark.database
def test_rejecting_a_line_as_not_the_item_records_an_item_mismatch_on_it(keys: Any, received: Return) -> None:
    at = received.updated_at + STEP

    services.return_inspect(
        code=received.code,
        actor=keys.actors["seller_a"],
        now=at,
        lines=[
            LineInspection(line="L1", outcome=LineOutcome.REJECTED, condition=Condition.NOT_THE_ITEM),
            LineInspection(line="L2", outcome=LineOutcome.ACCEPTED, condition=Condition.AS_NEW),
        ],
    )

    line = received.lines.get(order_line__external_id="L1")
    assert list(ReturnAnomaly.objects.values("return_request", "line", "code", "note", "at", "source")) == [
        {
            "return_request": received.pk,
            "line": line.pk,
            "code": "item_mismatch",
            "note": "",
            "at": at,
            "source": "inspect",
        },
    ]
    assert ReturnEvent.objects.filter(return_request=received).values("action", "data").last() == {
        "action": "inspect",
        "data": {
            "lines": [
                {"line": "L1", "outcome": "rejected", "condition": "not_the_item"},
                {"line": "L2", "outcome": "accepted", "condition": "as_new"},
            ],
            "anomalies": [{"code": "item_mismatch", "line": "L1"}],
        },
    }


@pytest.mark.database
def test_api_inspect_answers_the_item_mismatch_it_recorded(keys: Any, received: Return) -> None:
    response = inspect(keys, received, ("L1", "rejected", "not_the_item"), ("L2", "rejected", "used"))

    inspected_at = ReturnEvent.objects.filter(return_request=received).values_list("at", flat=True).last()
    assert (response.status_code, response.json()["status"], response.json()["anomalies"]) == (
        200,
        "inspected",
        [{"code": "item_mismatch", "line": "L1", "note": "", "at": iso(inspected_at), "data": {}}],
    )


@pytest.mark.database
def test_api_a_bad_outcome_lists_the_values_not_enum_reprs(keys: Any, received: Return) -> None:
    before = snapshot(received)

    response = inspect(keys, received, ("L1", "pending", "as_new"), ("L2", "accepted", "as_new"))

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:validation_error",
        "title": "Some fields are invalid",
        "status": 422,
        "detail": "Some fields are invalid",
        "code": "validation_error",
        "errors": [
            {
                "loc": ["body", "payload", "lines", 0, "outcome"],
                "msg": "Input should be 'accepted' or 'rejected'",
                "type": "literal_error",
            }
        ],
    }
    assert snapshot(received) == before
