"""The receive clock: a parcel the carrier delivered to the seller is received when the seller's
time to scan it in runs out, whatever the return's expiry or lost-parcel clock said.

The pure lifecycle first (deadlines, the system's guard, a random walk with deliveries), then the
same through ``return_transition`` and the API's answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.stateful import invariant, precondition, rule

from returndesk.core.actors import SYSTEM_CLOCK, Role
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import (
    RECEIVE_CLOCK_STATUSES,
    Action,
    Deadline,
    DueAction,
    Facts,
    Status,
    next_deadline,
)
from returndesk.returns.domain.lifecycle import NotYetDue as NotYetDueError
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.tests.test_lifecycle import (
    LONG_AGO,
    LOST,
    NOT_LOST,
    NOT_YET_DUE,
    NOW,
    ReturnWalk,
    attempt,
)
from returndesk.scenarios.journeys import return_to
from returndesk.testing import iso

S, A, R = Status, Action, Role
US = timedelta(microseconds=1)
DAY = timedelta(days=1)
DELIVERED = NOW - 2 * DAY
RECEIVE_AT = DELIVERED + 5 * DAY


def delivered(status: Status, **kwargs: Any) -> Facts:
    return Facts(status=status, status_since=NOW - 20 * DAY, ship_by=NOW - 10 * DAY, **kwargs)


# --- Deadlines -----------------------------------------------------------------------------------


def test_the_receive_after_delivery_clock_is_five_days() -> None:
    assert Facts(S.REQUESTED, NOW).policy.receive_after_delivery == 5 * DAY


def test_receive_clock_statuses() -> None:
    assert frozenset({S.APPROVED, S.IN_TRANSIT, S.EXPIRED}) == RECEIVE_CLOCK_STATUSES


@pytest.mark.parametrize("status", [S.APPROVED, S.IN_TRANSIT, S.EXPIRED])
def test_a_delivered_parcel_is_due_for_receipt_five_days_after_delivery(status: Status) -> None:
    assert next_deadline(delivered(status, delivered_to_seller_at=DELIVERED)) == Deadline(RECEIVE_AT, DueAction.RECEIVE)


def test_receipt_replaces_an_expiry_that_comes_earlier() -> None:
    facts = Facts(S.APPROVED, NOW, ship_by=NOW + DAY, delivered_to_seller_at=NOW)
    assert next_deadline(facts) == Deadline(NOW + 5 * DAY, DueAction.RECEIVE)


def test_receipt_replaces_the_lost_parcel_escalation_that_comes_earlier() -> None:
    facts = Facts(S.IN_TRANSIT, NOW - 29 * DAY, delivered_to_seller_at=NOW)
    assert next_deadline(facts) == Deadline(NOW + 5 * DAY, DueAction.RECEIVE)


@pytest.mark.parametrize(
    ("status", "deadline"),
    [
        (S.REQUESTED, Deadline(NOW + 5 * DAY, DueAction.APPROVE)),
        (S.RECEIVED, Deadline(NOW + 5 * DAY, DueAction.INSPECT)),
        (S.REJECTED, Deadline(NOW + 15 * DAY, DueAction.CLOSE)),
        (S.DISPUTED, Deadline(NOW + 7 * DAY, DueAction.SUPERVISE)),
        (S.REFUNDING, None),
        (S.CLOSED, None),
    ],
)
def test_other_statuses_keep_their_clocks_after_a_delivery(status: Status, deadline: Deadline | None) -> None:
    assert next_deadline(Facts(status, NOW, delivered_to_seller_at=NOW - DAY)) == deadline


# --- What the system may do ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.APPROVED, S.IN_TRANSIT, S.EXPIRED])
def test_the_system_receives_exactly_when_the_clock_runs_out(status: Status) -> None:
    facts = delivered(status, delivered_to_seller_at=DELIVERED)
    assert [attempt(facts, A.RECEIVE, R.SYSTEM, RECEIVE_AT - US), attempt(facts, A.RECEIVE, R.SYSTEM, RECEIVE_AT)] == [
        NOT_YET_DUE,
        S.RECEIVED,
    ]


@pytest.mark.parametrize("status", [S.APPROVED, S.IN_TRANSIT, S.EXPIRED])
def test_the_system_never_receives_a_parcel_nobody_delivered(status: Status) -> None:
    assert attempt(delivered(status), A.RECEIVE, R.SYSTEM, NOW + 1000 * DAY) == NOT_YET_DUE


def test_the_seller_receives_before_the_clock() -> None:
    assert attempt(delivered(S.IN_TRANSIT, delivered_to_seller_at=NOW), A.RECEIVE, R.SELLER, NOW) == S.RECEIVED


def test_the_system_no_longer_expires_a_delivered_approved_return() -> None:
    facts = delivered(S.APPROVED, delivered_to_seller_at=DELIVERED)
    assert attempt(facts, A.EXPIRE, R.SYSTEM, NOW) == NOT_YET_DUE


@pytest.mark.parametrize("role", [R.SYSTEM, R.BUYER, R.PLATFORM])
def test_a_delivered_parcel_is_not_lost(role: Role) -> None:
    facts = Facts(S.IN_TRANSIT, LONG_AGO, anomalies=LOST, delivered_to_seller_at=DELIVERED)
    assert attempt(facts, A.ESCALATE, role, NOW) == NOT_LOST


# --- Random walks with deliveries ----------------------------------------------------------------


class DeliveredWalk(ReturnWalk):
    """The lifecycle's random walk, with the carrier reporting the parcel delivered at any time
    while the parcel is on its way (approved, in transit or expired); becoming approved again
    clears the delivery, as the tracking service does for a return to sender (and a dispute's
    decision to approve must)."""

    @precondition(lambda self: self.facts.status in RECEIVE_CLOCK_STATUSES)
    @rule()
    def carrier_reports_delivery(self) -> None:
        self.facts = replace(self.facts, delivered_to_seller_at=self.now)

    def _try(self, action: Action, role: Role, *, supervisor: bool, target: Status | None) -> Any:
        before = self.facts.status
        outcome = super()._try(action, role, supervisor=supervisor, target=target)
        if outcome is S.APPROVED and before is not S.APPROVED:
            # Approved again (sent back, or an agent's decision): the buyer sends a new parcel.
            self.facts = replace(self.facts, delivered_to_seller_at=None)
        return outcome

    @invariant()
    def a_deadline_exists_unless_nothing_is_due(self) -> None:
        deadline = next_deadline(self.facts)
        # A refunding return waits for the ledger, unless it asks for attention (``supervise``).
        waiting = (
            self.facts.status in (S.CANCELLED, S.CLOSED)
            or (self.facts.status is S.REFUNDING and self.facts.attention_at is None)
            or (self.facts.status is S.EXPIRED and self.facts.delivered_to_seller_at is None)
        )
        assert (deadline is None) is waiting
        assert deadline is None or deadline.at > self.facts.status_since

    @invariant()
    def a_delivered_parcel_waits_only_for_receipt(self) -> None:
        deadline = next_deadline(self.facts)
        if self.facts.delivered_to_seller_at is not None and self.facts.status in RECEIVE_CLOCK_STATUSES:
            assert deadline == Deadline(
                self.facts.delivered_to_seller_at + self.facts.policy.receive_after_delivery, DueAction.RECEIVE
            )


TestDeliveredWalk = settings(max_examples=25, stateful_step_count=25, deadline=None)(DeliveredWalk).TestCase


# --- Through the service and the API -------------------------------------------------------------


def deliver(ret: Return, at: datetime) -> Return:
    """The delivery as a column only: the tracking service that writes it lives in ``dropoffs``."""
    Return.objects.filter(pk=ret.pk).update(delivered_to_seller_at=at)
    ret.refresh_from_db()
    return ret


@pytest.mark.django_db
def test_the_clock_receives_an_expired_return_once_the_delivery_is_five_days_old(make_return) -> None:
    ret = deliver(return_to(make_return(), S.EXPIRED, now=NOW), NOW + 20 * DAY)
    due = NOW + 25 * DAY
    with pytest.raises(NotYetDueError):
        services.return_transition(code=ret.code, actor=SYSTEM_CLOCK, action=A.RECEIVE, now=due - US)
    assert Return.objects.get(pk=ret.pk).status == S.EXPIRED

    received = services.return_transition(code=ret.code, actor=SYSTEM_CLOCK, action=A.RECEIVE, now=due)

    assert (received.status, received.due_action, received.due_at) == (S.RECEIVED, DueAction.INSPECT, due + 5 * DAY)
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert (event.action, event.actor_kind, event.from_status, event.to_status) == (
        "receive",
        "system",
        "expired",
        "received",
    )


@pytest.mark.django_db
def test_the_answer_shows_the_tracking_number_and_the_delivery(make_return, keys) -> None:
    ret = deliver(return_to(make_return(), S.IN_TRANSIT, now=NOW), NOW + DAY)
    Return.objects.filter(pk=ret.pk).update(tracking_number="RR123456785GB")

    body = keys.client("seller_a").get(f"/api/v1/returns/{ret.code}").json()

    assert (body["tracking_number"], body["delivered_to_seller_at"]) == ("RR123456785GB", iso(NOW + DAY))
