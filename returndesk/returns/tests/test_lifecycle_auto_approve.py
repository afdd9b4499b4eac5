"""``Facts.auto_approve``: the system may approve a requested return before its deadline, and
nothing else changes (the lifecycle's style: ``plan`` on plain facts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from returndesk.core.actors import Role
from returndesk.core.errors import ReturndeskError
from returndesk.returns.domain.lifecycle import Action, Facts, NotYetDue, Status, actions_for, plan

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
JUST_OPENED = Facts(status=Status.REQUESTED, status_since=NOW)
AUTO = replace(JUST_OPENED, auto_approve=True)


def outcome(facts: Facts, action: Action, role: Role) -> Status | str:
    try:
        return plan(facts, action, role, NOW)
    except ReturndeskError as error:
        return error.code


def test_the_system_approves_an_auto_approved_return_at_once() -> None:
    assert [outcome(JUST_OPENED, Action.APPROVE, Role.SYSTEM), outcome(AUTO, Action.APPROVE, Role.SYSTEM)] == [
        NotYetDue.code,
        Status.APPROVED,
    ]


def test_auto_approve_lets_the_system_approve_and_nothing_else_early() -> None:
    assert Action.APPROVE not in actions_for(JUST_OPENED, Role.SYSTEM, NOW)
    assert set(actions_for(AUTO, Role.SYSTEM, NOW)) - set(actions_for(JUST_OPENED, Role.SYSTEM, NOW)) == {
        Action.APPROVE
    }


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.REQUESTED])
def test_auto_approve_approves_only_a_requested_return(status: Status) -> None:
    assert outcome(replace(AUTO, status=status), Action.APPROVE, Role.SYSTEM) == "invalid_transition"


@pytest.mark.parametrize("role", [Role.BUYER, Role.CARRIER, Role.AGENT])
def test_auto_approve_gives_no_role_the_approval(role: Role) -> None:
    assert outcome(AUTO, Action.APPROVE, role) == "forbidden_action"


def test_an_open_offer_pauses_even_an_auto_approval() -> None:
    offered = replace(AUTO, offer_open=True, offer_made_at=NOW - timedelta(hours=1))
    assert outcome(offered, Action.APPROVE, Role.SYSTEM) == NotYetDue.code
