"""Receipt anomalies: the registry of known codes, ReturnAnomaly rows, and what the lifecycle reads.

A stored code that no app registers any more is shown as stored and decides nothing; the
lifecycle reads anomalies only for the actions whose guard needs them, so the others skip the query.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from returndesk.core.actors import Role
from returndesk.core.errors import ReturndeskError
from returndesk.returns import services
from returndesk.returns.domain import anomalies
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import (
    ANOMALY_ACTIONS,
    Action,
    Facts,
    LineOutcome,
    ParcelNotLost,
    Status,
    next_deadline,
    plan,
)
from returndesk.returns.models import Return, ReturnAnomaly, ReturnLine
from returndesk.scenarios.journeys import PLATFORM, STEP, order_placed, return_opened, return_to
from returndesk.testing import NOW, iso

HOUR = timedelta(hours=1)
SIX = {"item_mismatch", "short", "extra", "empty_box", "damaged_on_return", "lost_in_transit"}


# --- The registry (pure) -------------------------------------------------------------------------


def test_the_registry_knows_the_six_anomalies_of_the_domain() -> None:
    assert ({code for code in SIX if anomalies.is_known(code)}, {str(code) for code in Anomaly}) == (SIX, SIX)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry this test may extend; the real one is back afterwards."""
    monkeypatch.setattr(anomalies, "_KNOWN", dict(anomalies._KNOWN))


@pytest.mark.usefixtures("registry")
def test_a_later_app_registers_a_code_of_its_own() -> None:
    kind = anomalies.register("wrong_weight", title="The parcel weighs other than its items")
    again = anomalies.register("wrong_weight", title="The parcel weighs other than its items")

    assert (anomalies.is_known("wrong_weight"), anomalies.kind_of("wrong_weight"), again) == (True, kind, kind)
    assert "wrong_weight" in anomalies.known_codes()


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("code", "title", "message"),
    [
        ("short", "Else", "Anomaly code 'short' is already registered as 'Fewer units arrived than the return names'."),
        ("Wrong-Weight", "x", "Anomaly code 'Wrong-Weight' is not 1-32 characters of [a-z0-9_]."),
        ("w" * 33, "x", f"Anomaly code {'w' * 33!r} is not 1-32 characters of [a-z0-9_]."),
    ],
    ids=["taken", "not-snake-case", "too-long"],
)  # fmt: skip
def test_register_refuses_a_taken_or_malformed_code(code: str, title: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^Anomaly code ") as refused:
        anomalies.register(code, title=title)

    assert str(refused.value) == message
    assert anomalies.kind_of("short") == anomalies.AnomalyKind("short", "Fewer units arrived than the return names")


# --- The lifecycle reads anomalies only for ANOMALY_ACTIONS (pure) --------------------------------


def _outcome(facts: Facts, action: Action, role: Role, now: datetime) -> tuple[str, object]:
    try:
        return ("status", plan(facts, action, role, now))
    except ReturndeskError as error:
        return ("refused", error.code)


ALL_KNOWN = frozenset(SIX)


@given(
    status=st.sampled_from(Status),
    action=st.sampled_from(sorted(set(Action) - ANOMALY_ACTIONS)),
    role=st.sampled_from(Role),
    since_hours=st.integers(min_value=0, max_value=24 * 90),
    ship_by_hours=st.one_of(st.none(), st.integers(min_value=-24 * 30, max_value=24 * 30)),
    offer_open=st.booleans(),
    outcomes=st.lists(st.sampled_from(LineOutcome), max_size=3).map(tuple),
)
def test_no_other_action_and_no_deadline_depends_on_anomalies(  # noqa: PLR0917 (Hypothesis passes them)
    status: Status,
    action: Action,
    role: Role,
    since_hours: int,
    ship_by_hours: int | None,
    offer_open: bool,
    outcomes: tuple[LineOutcome, ...],
) -> None:
    ship_by = NOW + timedelta(hours=ship_by_hours) if ship_by_hours is not None else NOW + HOUR
    without = Facts(
        status=status,
        status_since=NOW - timedelta(hours=since_hours),
        ship_by=ship_by,
        offer_open=offer_open,
        line_outcomes=outcomes,
    )
    with_all = replace(without, anomalies=ALL_KNOWN)

    assert (_outcome(with_all, action, role, NOW), next_deadline(with_all)) == (
        _outcome(without, action, role, NOW),
        next_deadline(without),
    )


def test_escalation_is_the_action_that_reads_anomalies() -> None:
    in_transit = Facts(status=Status.IN_TRANSIT, status_since=NOW)
    lost = Facts(status=Status.IN_TRANSIT, status_since=NOW, anomalies=frozenset({"lost_in_transit"}))

    assert (ANOMALY_ACTIONS, _outcome(in_transit, Action.ESCALATE, Role.PLATFORM, NOW + HOUR)) == (
        frozenset({Action.ESCALATE}),
        ("refused", "parcel_not_lost"),
    )
    assert _outcome(lost, Action.ESCALATE, Role.PLATFORM, NOW + HOUR) == ("status", Status.DISPUTED)


# --- Stored anomalies, known or not --------------------------------------------------------------


def store(ret: Return, code: str, *, line: str | None = None, note: str = "", at: datetime = NOW) -> ReturnAnomaly:
    """An anomaly as an earlier version (or an app since removed) left it in the table."""
    return_line = ReturnLine.objects.get(return_request=ret, order_line__external_id=line) if line else None
    return ReturnAnomaly.objects.create(
        return_request=ret, line=return_line, code=code, note=note, at=at, source="receive"
    )


def in_transit() -> Return:
    return return_to(return_opened(order=order_placed()), Status.IN_TRANSIT)


def anomaly_queries(context: CaptureQueriesContext) -> list[str]:
    table = ReturnAnomaly._meta.db_table
    return [query["sql"] for query in context.captured_queries if table in query["sql"]]


@pytest.mark.django_db
@pytest.mark.database
def test_an_unknown_stored_code_decides_nothing() -> None:
    ret = in_transit()
    store(ret, "wrong_weight", note="2.1 kg, expected 0.5 kg")
    at = ret.updated_at + HOUR

    with pytest.raises(ParcelNotLost):
        services.return_transition(code=ret.code, actor=PLATFORM, action=Action.ESCALATE, now=at)

    store(ret, "lost_in_transit")
    with CaptureQueriesContext(connection) as context:
        escalated = services.return_transition(code=ret.code, actor=PLATFORM, action=Action.ESCALATE, now=at)

    # Both reads of the facts (the guard, then the next deadline) share the one query.
    assert (escalated.status, len(anomaly_queries(context))) == (Status.DISPUTED, 1)


@pytest.mark.django_db
@pytest.mark.database
def test_an_action_whose_guard_ignores_anomalies_does_not_read_them() -> None:
    ret = return_opened(order=order_placed())
    store(ret, "wrong_weight")

    with CaptureQueriesContext(connection) as context:
        approved = return_to(ret, Status.APPROVED)

    assert (approved.status, anomaly_queries(context)) == (Status.APPROVED, [])


@pytest.mark.django_db
@pytest.mark.database
def test_api_shows_stored_anomalies_as_stored_known_or_not(keys: Any) -> None:
    ret = return_opened(order=order_placed())
    store(ret, "wrong_weight", note="2.1 kg, expected 0.5 kg", at=NOW + 2 * HOUR)
    store(ret, "damaged_on_return", line="L1", note="Cracked", at=NOW + HOUR)

    # Today's main answered 500 to any action on a return carrying a code it did not know.
    response = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/approve", {}, content_type="application/json")

    assert (response.status_code, response.json()["status"], response.json()["anomalies"]) == (
        200,
        "approved",
        [
            {"code": "damaged_on_return", "line": "L1", "note": "Cracked", "at": iso(NOW + HOUR), "data": {}},
            {
                "code": "wrong_weight",
                "line": None,
                "note": "2.1 kg, expected 0.5 kg",
                "at": iso(NOW + 2 * HOUR),
                "data": {},
            },
        ],
    )


# --- Recording ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.database
def test_return_anomaly_record_stores_a_known_code_with_its_source() -> None:
    ret = in_transit()
    line = ret.lines.get()

    recorded = services.return_anomaly_record(
        ret=ret, code=Anomaly.SHORT, line=line, note="1 of 2", at=NOW + STEP, source="receive"
    )

    assert list(ReturnAnomaly.objects.values("id", "return_request", "line", "code", "note", "at", "source")) == [
        {
            "id": recorded.pk,
            "return_request": ret.pk,
            "line": line.pk,
            "code": "short",
            "note": "1 of 2",
            "at": NOW + STEP,
            "source": "receive",
        }
    ]


@pytest.mark.django_db
@pytest.mark.database
def test_return_anomaly_record_refuses_an_unregistered_code() -> None:
    ret = in_transit()

    with pytest.raises(ValueError, match=r"^Anomaly code ") as refused:
        services.return_anomaly_record(ret=ret, code="wrong_weight", at=NOW, source="receive")

    assert str(refused.value) == "Anomaly code 'wrong_weight' is not registered in returndesk.returns.domain.anomalies."
    assert ReturnAnomaly.objects.count() == 0
