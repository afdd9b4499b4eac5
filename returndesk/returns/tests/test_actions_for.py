"""``lifecycle.actions_for`` lists exactly what ``plan`` allows: for every status, role and
supervisor flag, under facts that meet or miss each guard (deadlines, ship-by, offers, line
outcomes, anomalies), exhaustively for a grid of facts and with Hypothesis beyond it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from returndesk.core.actors import Role
from returndesk.core.errors import ForbiddenAction, InvalidTransition
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import TABLE, Action, Facts, LineOutcome, Status, actions_for, plan

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Offsets from NOW that land before, inside and after every clock of the default policy.
OFFSETS = (-timedelta(days=61), -timedelta(days=16), -timedelta(days=6), -timedelta(hours=1), DAY)
OUTCOMES = ((), (LineOutcome.REJECTED,), (LineOutcome.ACCEPTED, LineOutcome.REJECTED))
ANOMALIES = (frozenset(), frozenset({Anomaly.LOST_IN_TRANSIT.value}))


def allowed_by_plan(facts: Facts, role: Role, now: datetime, *, supervisor: bool) -> list[Action]:
    """The actions ``plan`` answers with a status rather than a refusal (``decide`` with its
    first target: every target is allowed alike)."""
    allowed = []
    for action in Action:
        try:
            plan(
                facts,
                action,
                role,
                now,
                supervisor=supervisor,
                target=TABLE[action].targets[0] if action is Action.DECIDE else None,
            )
        except (InvalidTransition, ForbiddenAction):
            continue
        allowed.append(action)
    return allowed


def grid() -> list[Facts]:
    return [
        Facts(
            status=status,
            status_since=NOW + since,
            ship_by=None if ship_by is None else NOW + ship_by,
            offer_open=offer_open,
            line_outcomes=outcomes,
            anomalies=anomalies,
        )
        for status, since, ship_by, offer_open, outcomes, anomalies in itertools.product(
            Status, OFFSETS, (None, -DAY, DAY), (False, True), OUTCOMES, ANOMALIES
        )
        if possible(status, ship_by)
    ]


def possible(status: Status, ship_by: timedelta | None) -> bool:
    """An approved return always has a ship-by time (the lifecycle asserts it)."""
    return status is not Status.APPROVED or ship_by is not None


def test_actions_for_matches_plan_for_every_status_role_and_guard_on_a_grid_of_facts() -> None:
    mismatches = [
        (facts, role, supervisor)
        for facts in grid()
        for role in Role
        for supervisor in (False, True)
        if actions_for(facts, role, NOW, supervisor=supervisor)
        != allowed_by_plan(facts, role, NOW, supervisor=supervisor)
    ]

    assert mismatches == []


@given(
    status=st.sampled_from(Status),
    role=st.sampled_from(Role),
    supervisor=st.booleans(),
    since=st.timedeltas(min_value=-timedelta(days=90), max_value=timedelta(days=1)),
    ship_by=st.none() | st.timedeltas(min_value=-timedelta(days=20), max_value=timedelta(days=20)),
    offer_open=st.booleans(),
    outcomes=st.lists(st.sampled_from(LineOutcome), max_size=3).map(tuple),
    lost=st.booleans(),
)
def test_actions_for_matches_plan_for_any_facts(
    *,
    status: Status,
    role: Role,
    supervisor: bool,
    since: timedelta,
    ship_by: timedelta | None,
    offer_open: bool,
    outcomes: tuple[LineOutcome, ...],
    lost: bool,
) -> None:
    assume(possible(status, ship_by))
    facts = Facts(
        status=status,
        status_since=NOW + since,
        ship_by=None if ship_by is None else NOW + ship_by,
        offer_open=offer_open,
        line_outcomes=outcomes,
        anomalies=frozenset({Anomaly.LOST_IN_TRANSIT.value}) if lost else frozenset(),
    )

    assert actions_for(facts, role, NOW, supervisor=supervisor) == allowed_by_plan(
        facts, role, NOW, supervisor=supervisor
    )


def test_a_requested_return_offers_the_seller_approve_reject_keep_and_offer() -> None:
    facts = Facts(status=Status.REQUESTED, status_since=NOW - DAY)

    assert actions_for(facts, Role.SELLER, NOW) == [Action.APPROVE, Action.REJECT, Action.KEEP, Action.OFFER]


def test_only_a_supervisor_is_offered_reopen() -> None:
    facts = Facts(status=Status.RESOLVED, status_since=NOW - DAY)

    assert (actions_for(facts, Role.AGENT, NOW), actions_for(facts, Role.AGENT, NOW, supervisor=True)) == (
        [],
        [Action.REOPEN],
    )


def test_a_buyer_is_offered_nothing_on_a_closed_return() -> None:
    facts = Facts(status=Status.CLOSED, status_since=NOW - DAY)

    assert actions_for(facts, Role.BUYER, NOW) == []
