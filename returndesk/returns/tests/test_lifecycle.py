"""The return lifecycle: the action table, its guards, deadlines, windows and quantity holds.

Pure Python: no Django, no database. The expected table below is literal data copied from the
contract (the core issue's action table), never derived from ``lifecycle.TABLE``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from returndesk.core.actors import Role
from returndesk.core.errors import ForbiddenAction, InvalidTransition, ReturndeskError
from returndesk.returns.domain.lifecycle import (
    DEFAULT_POLICY,
    TABLE,
    TERMINAL,
    Action,
    Anomaly,
    Deadline,
    DueAction,
    EscalationWindowClosed,
    Facts,
    InvalidDecision,
    LineOutcome,
    NoOpenOffer,
    NotAllLinesRejected,
    NotSettled,
    NotYetDue,
    OfferAlreadyOpen,
    ParcelNotLost,
    Policy,
    ShipByPassed,
    Status,
    SupervisorRequired,
    holds_quantity,
    next_deadline,
    plan,
    return_window_end,
    ship_by_after,
)

S, A, R = Status, Action, Role
REQ, APP, REJ, CAN, EXP, TRA = S.REQUESTED, S.APPROVED, S.REJECTED, S.CANCELLED, S.EXPIRED, S.IN_TRANSIT
REC, INS, REF, DIS, RES, CLO = S.RECEIVED, S.INSPECTED, S.REFUNDING, S.DISPUTED, S.RESOLVED, S.CLOSED
BUYER, SELLER, PLATFORM, AGENT, CARRIER, SYSTEM = R.BUYER, R.SELLER, R.PLATFORM, R.AGENT, R.CARRIER, R.SYSTEM
ACC, PEN, RJ = LineOutcome.ACCEPTED, LineOutcome.PENDING, LineOutcome.REJECTED
LOST = frozenset({Anomaly.LOST_IN_TRANSIT})

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
DAY = timedelta(days=1)


# --- The contract, as literal data --------------------------------------------------------------

# action: (roles, from, to); to == () means the status does not change; several: chosen by target.
EXPECTED_TABLE: dict[Action, tuple[frozenset[Role], frozenset[Status], tuple[Status, ...]]] = {
    A.APPROVE: (frozenset({SELLER, PLATFORM, SYSTEM}), frozenset({REQ}), (APP,)),
    A.REJECT: (frozenset({SELLER, PLATFORM}), frozenset({REQ}), (REJ,)),
    A.CANCEL: (frozenset({PLATFORM, BUYER}), frozenset({REQ, APP}), (CAN,)),
    A.KEEP: (frozenset({SELLER, PLATFORM, SYSTEM}), frozenset({REQ, APP}), (REF,)),
    A.OFFER: (frozenset({SELLER}), frozenset({REQ, INS}), ()),
    A.ACCEPT_OFFER: (frozenset({BUYER, PLATFORM}), frozenset({REQ, INS}), (REF,)),
    A.DECLINE_OFFER: (frozenset({BUYER, PLATFORM, SYSTEM}), frozenset({REQ, INS}), ()),
    A.HANDOVER: (frozenset({CARRIER, PLATFORM}), frozenset({APP}), (TRA,)),
    A.RETURN_TO_SENDER: (frozenset({CARRIER}), frozenset({TRA}), (APP,)),
    A.RECEIVE: (frozenset({SELLER, SYSTEM}), frozenset({TRA, APP, EXP}), (REC,)),
    A.INSPECT: (frozenset({SELLER, SYSTEM}), frozenset({REC}), (INS,)),
    A.REFUND: (frozenset({SELLER, PLATFORM, AGENT, SYSTEM}), frozenset({INS, REF}), (REF,)),
    A.EXCHANGE: (frozenset({SELLER, PLATFORM}), frozenset({INS}), (RES,)),
    A.SETTLE: (frozenset({SYSTEM}), frozenset({REF}), (RES,)),
    A.ESCALATE: (frozenset({BUYER, PLATFORM, SYSTEM}), frozenset({REJ, INS, REF, RES, TRA}), (DIS,)),
    A.DECIDE: (frozenset({AGENT}), frozenset({DIS}), (REF, APP, RES)),
    A.EXPIRE: (frozenset({SYSTEM}), frozenset({APP}), (EXP,)),
    A.CLOSE: (frozenset({SYSTEM, PLATFORM}), frozenset({RES, REJ, INS}), (CLO,)),
    A.REOPEN: (frozenset({AGENT}), frozenset({RES}), (DIS,)),
}
SYSTEM_ESCALATES_FROM = frozenset({TRA})
# The system refunds only when an inspected return's deadline runs out: a top-up from refunding is
# someone's decision, never the clock's.
SYSTEM_REFUNDS_FROM = frozenset({INS})
TERMINAL_STATUSES = frozenset({CAN, CLO})
REFUNDING_ENTRIES = frozenset({A.KEEP, A.ACCEPT_OFFER, A.REFUND, A.DECIDE})
NO_DEADLINE = frozenset({REF, EXP, CAN, CLO})


@dataclass(frozen=True)
class Refused:
    error: type[ReturndeskError]
    code: str
    http: int


FORBIDDEN = Refused(ForbiddenAction, "forbidden_action", 403)
INVALID = Refused(InvalidTransition, "invalid_transition", 409)
SHIP_BY_PASSED = Refused(ShipByPassed, "ship_by_passed", 409)
NOT_YET_DUE = Refused(NotYetDue, "not_yet_due", 409)
NO_OPEN_OFFER = Refused(NoOpenOffer, "no_open_offer", 409)
OFFER_ALREADY_OPEN = Refused(OfferAlreadyOpen, "offer_already_open", 409)
WINDOW_CLOSED = Refused(EscalationWindowClosed, "escalation_window_closed", 409)
NOT_ALL_REJECTED = Refused(NotAllLinesRejected, "lines_not_all_rejected", 409)
NOT_SETTLED = Refused(NotSettled, "not_settled", 409)
NOT_LOST = Refused(ParcelNotLost, "parcel_not_lost", 409)
BAD_DECISION = Refused(InvalidDecision, "invalid_decision", 409)
SUPERVISOR_REQUIRED = Refused(SupervisorRequired, "supervisor_required", 403)

# The refusals an action's own guard may give once role and status are right.
GUARD_REFUSALS: dict[Action, frozenset[Refused]] = {
    A.HANDOVER: frozenset({SHIP_BY_PASSED}),
    A.EXPIRE: frozenset({NOT_YET_DUE}),
    A.APPROVE: frozenset({NOT_YET_DUE}),
    A.INSPECT: frozenset({NOT_YET_DUE}),
    A.REFUND: frozenset({NOT_YET_DUE}),
    A.RECEIVE: frozenset({NOT_YET_DUE}),
    A.OFFER: frozenset({OFFER_ALREADY_OPEN}),
    A.ACCEPT_OFFER: frozenset({NO_OPEN_OFFER}),
    A.DECLINE_OFFER: frozenset({NO_OPEN_OFFER, NOT_YET_DUE}),
    A.ESCALATE: frozenset({NOT_LOST, WINDOW_CLOSED}),
    A.CLOSE: frozenset({NOT_ALL_REJECTED, NOT_YET_DUE}),
    A.SETTLE: frozenset({NOT_SETTLED}),
    A.DECIDE: frozenset({BAD_DECISION}),
    A.REOPEN: frozenset({SUPERVISOR_REQUIRED}),
}


def table_refusal(status: Status, action: Action, role: Role) -> Refused | None:
    """What the contract's table (not the guards) says about a triple: refused how, or None."""
    roles, sources, _ = EXPECTED_TABLE[action]
    if role not in roles:
        return FORBIDDEN
    if status not in sources:
        return INVALID
    if action is A.ESCALATE and role is SYSTEM and status not in SYSTEM_ESCALATES_FROM:
        return INVALID
    return None


def expected_outcome(status: Status, action: Action, role: Role) -> Status | Refused:
    """The outcome when every guard is satisfied (decide chooses refunding); the system's refund
    from refunding has no deadline to meet."""
    targets = EXPECTED_TABLE[action][2] or (status,)
    refused = table_refusal(status, action, role)
    if refused is None and action is A.REFUND and role is SYSTEM and status not in SYSTEM_REFUNDS_FROM:
        return NOT_YET_DUE
    return refused or targets[0]


def transition_is_expected(before: Status, action: Action, role: Role, after: Status) -> bool:
    return table_refusal(before, action, role) is None and after in (EXPECTED_TABLE[action][2] or (before,))


def refusal_is_expected(before: Status, action: Action, role: Role, refused: Refused) -> bool:
    by_table = table_refusal(before, action, role)
    return refused == by_table or (by_table is None and refused in GUARD_REFUSALS.get(action, frozenset()))


def attempt(facts: Facts, action: Action, role: Role, now: datetime = NOW, **kwargs: Any) -> Status | Refused:
    try:
        return plan(facts, action, role, now, **kwargs)
    except ReturndeskError as error:
        return Refused(type(error), error.code, error.status)


# --- Facts that satisfy every guard -------------------------------------------------------------

BASE_FACTS = Facts(
    status=REQ, status_since=NOW - timedelta(hours=1), ship_by=NOW + DAY, offer_open=False, line_outcomes=(ACC,)
)
# Long enough ago that every clock of the system has run out.
LONG_AGO = NOW - timedelta(days=60)
GUARD_PASSING_FACTS: dict[Action, dict[str, Any]] = {
    A.APPROVE: {"status_since": LONG_AGO},
    A.INSPECT: {"status_since": LONG_AGO},
    A.REFUND: {"status_since": LONG_AGO},
    A.HANDOVER: {"ship_by": NOW + DAY},
    A.EXPIRE: {"ship_by": NOW - DAY},
    A.ACCEPT_OFFER: {"offer_open": True},
    A.DECLINE_OFFER: {"offer_open": True, "status_since": LONG_AGO},
    A.CLOSE: {"status_since": NOW - timedelta(days=60), "line_outcomes": (RJ, RJ)},
    A.ESCALATE: {"anomalies": LOST},
    A.RECEIVE: {"delivered_to_seller_at": LONG_AGO},
    A.SETTLE: {"settled": True},
}
GUARD_PASSING_ARGS: dict[Action, dict[str, Any]] = {
    A.REOPEN: {"supervisor": True},
    A.DECIDE: {"target": REF},
}


def passing_facts(status: Status, action: Action) -> Facts:
    return replace(BASE_FACTS, status=status, **GUARD_PASSING_FACTS.get(action, {}))


def attempt_with_guards_met(status: Status, action: Action, role: Role) -> Status | Refused:
    return attempt(passing_facts(status, action), action, role, **GUARD_PASSING_ARGS.get(action, {}))


def facts(status: Status, *, since: datetime = NOW - timedelta(hours=1), **kwargs: Any) -> Facts:
    return Facts(status=status, status_since=since, **kwargs)


# --- The table, triple by triple ----------------------------------------------------------------


def test_expected_table_covers_every_action() -> None:
    assert set(EXPECTED_TABLE) == set(Action)
    assert len(list(product(Status, Action, Role))) == 12 * 19 * 6


@pytest.mark.parametrize(("status", "action", "role"), list(product(Status, Action, Role)))
def test_every_status_action_role_triple(status: Status, action: Action, role: Role) -> None:
    assert attempt_with_guards_met(status, action, role) == expected_outcome(status, action, role)


def test_table_matches_the_contract() -> None:
    actual = {action: (rule.roles, rule.sources, frozenset(rule.targets)) for action, rule in TABLE.items()}
    expected = {
        action: (roles, sources, frozenset(targets)) for action, (roles, sources, targets) in EXPECTED_TABLE.items()
    }
    assert actual == expected


@pytest.mark.parametrize("target", [REF, APP, RES])
def test_decide_moves_to_the_chosen_target(target: Status) -> None:
    assert attempt(facts(DIS), A.DECIDE, AGENT, target=target) == target


@pytest.mark.parametrize("target", [None, REQ, REJ, CAN, EXP, TRA, REC, INS, DIS, CLO])
def test_decide_with_a_bad_or_missing_target(target: Status | None) -> None:
    assert attempt(facts(DIS), A.DECIDE, AGENT, target=target) == BAD_DECISION


def test_decide_without_target_argument() -> None:
    assert attempt(facts(DIS), A.DECIDE, AGENT) == BAD_DECISION


def test_role_is_checked_before_status_and_guard() -> None:
    assert attempt(facts(CLO), A.REOPEN, BUYER) == FORBIDDEN
    assert attempt(facts(REQ, ship_by=NOW - DAY), A.HANDOVER, BUYER) == FORBIDDEN
    assert attempt(facts(DIS), A.DECIDE, SELLER, target=None) == FORBIDDEN


def test_status_is_checked_before_the_guard() -> None:
    assert attempt(facts(REQ), A.REOPEN, AGENT, supervisor=False) == INVALID
    assert attempt(facts(REQ, ship_by=NOW + DAY), A.EXPIRE, SYSTEM) == INVALID
    assert attempt(facts(REQ, ship_by=NOW - DAY), A.HANDOVER, CARRIER) == INVALID
    assert attempt(facts(REQ), A.DECIDE, AGENT, target=None) == INVALID
    assert attempt(facts(APP, offer_open=False), A.ACCEPT_OFFER, BUYER) == INVALID


def test_guard_errors_are_conflicts_and_supervisor_required_is_forbidden() -> None:
    conflicts = [
        ShipByPassed,
        NotYetDue,
        NoOpenOffer,
        OfferAlreadyOpen,
        EscalationWindowClosed,
        NotAllLinesRejected,
        ParcelNotLost,
        InvalidDecision,
    ]
    assert [issubclass(error, InvalidTransition) for error in conflicts] == [True] * 8
    assert issubclass(SupervisorRequired, ForbiddenAction) is True
    assert issubclass(SupervisorRequired, InvalidTransition) is False


# --- Terminal and expired statuses --------------------------------------------------------------


def successes_from(status: Status) -> set[tuple[Action, Role]]:
    return {
        (action, role)
        for action, role in product(Action, Role)
        if not isinstance(attempt_with_guards_met(status, action, role), Refused)
    }


def test_terminal_statuses() -> None:
    assert TERMINAL == TERMINAL_STATUSES


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_terminal_status_allows_no_action_for_any_role(status: Status) -> None:
    assert successes_from(status) == set()


def test_expired_allows_only_receive() -> None:
    assert successes_from(EXP) == {(A.RECEIVE, SELLER), (A.RECEIVE, SYSTEM)}
    assert attempt(facts(EXP), A.RECEIVE, SELLER) == REC


# --- Guards -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [CARRIER, PLATFORM])
def test_handover_after_ship_by(role: Role) -> None:
    assert attempt(facts(APP, ship_by=NOW - US), A.HANDOVER, role) == SHIP_BY_PASSED
    assert attempt(facts(APP, ship_by=NOW - 3 * DAY), A.HANDOVER, role) == SHIP_BY_PASSED


def test_handover_without_ship_by() -> None:
    assert attempt(facts(APP, ship_by=None), A.HANDOVER, CARRIER) == SHIP_BY_PASSED


@pytest.mark.parametrize("role", [CARRIER, PLATFORM])
def test_handover_exactly_at_ship_by_is_allowed(role: Role) -> None:
    assert attempt(facts(APP, ship_by=NOW), A.HANDOVER, role) == TRA
    assert attempt(facts(APP, ship_by=NOW + US), A.HANDOVER, role) == TRA


@pytest.mark.parametrize("ship_by", [NOW + DAY, NOW + US, NOW])
def test_expire_before_or_at_ship_by_is_not_yet_due(ship_by: datetime) -> None:
    assert attempt(facts(APP, ship_by=ship_by), A.EXPIRE, SYSTEM) == NOT_YET_DUE


def test_expire_after_ship_by() -> None:
    assert attempt(facts(APP, ship_by=NOW - US), A.EXPIRE, SYSTEM) == EXP


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [
        (REQ, A.ACCEPT_OFFER, BUYER),
        (REQ, A.ACCEPT_OFFER, PLATFORM),
        (INS, A.ACCEPT_OFFER, BUYER),
        (INS, A.ACCEPT_OFFER, PLATFORM),
        (REQ, A.DECLINE_OFFER, BUYER),
        (REQ, A.DECLINE_OFFER, PLATFORM),
        (REQ, A.DECLINE_OFFER, SYSTEM),
        (INS, A.DECLINE_OFFER, BUYER),
        (INS, A.DECLINE_OFFER, PLATFORM),
        (INS, A.DECLINE_OFFER, SYSTEM),
    ],
)
def test_answering_without_an_open_offer(status: Status, action: Action, role: Role) -> None:
    assert attempt(facts(status, offer_open=False), action, role) == NO_OPEN_OFFER


@pytest.mark.parametrize(
    ("status", "offer_open", "action", "role", "expected"),
    [
        (REQ, True, A.ACCEPT_OFFER, BUYER, REF),
        (INS, True, A.ACCEPT_OFFER, PLATFORM, REF),
        (REQ, True, A.DECLINE_OFFER, BUYER, REQ),
        (INS, True, A.DECLINE_OFFER, PLATFORM, INS),
        (REQ, False, A.OFFER, SELLER, REQ),
        (INS, False, A.OFFER, SELLER, INS),
    ],
)
def test_offer_round_trip(status: Status, offer_open: bool, action: Action, role: Role, expected: Status) -> None:
    assert attempt(facts(status, offer_open=offer_open), action, role) == expected


@pytest.mark.parametrize("status", [REQ, INS])
def test_offer_while_one_is_open(status: Status) -> None:
    assert attempt(facts(status, offer_open=True), A.OFFER, SELLER) == OFFER_ALREADY_OPEN


ESCALATABLE = [REJ, INS, REF, RES]


@pytest.mark.parametrize(("status", "role"), list(product(ESCALATABLE, [BUYER, PLATFORM])))
def test_escalate_after_the_window(status: Status, role: Role) -> None:
    assert attempt(facts(status, since=NOW - 15 * DAY - US), A.ESCALATE, role) == WINDOW_CLOSED
    assert attempt(facts(status, since=NOW - 40 * DAY), A.ESCALATE, role) == WINDOW_CLOSED


@pytest.mark.parametrize(("status", "role"), list(product(ESCALATABLE, [BUYER, PLATFORM])))
def test_escalate_window_is_fifteen_days_half_open(status: Status, role: Role) -> None:
    assert attempt(facts(status, since=NOW), A.ESCALATE, role) == DIS
    assert attempt(facts(status, since=NOW - 15 * DAY + US), A.ESCALATE, role) == DIS
    assert attempt(facts(status, since=NOW - 15 * DAY), A.ESCALATE, role) == WINDOW_CLOSED


@pytest.mark.parametrize("status", ESCALATABLE)
def test_system_does_not_escalate_outside_transit(status: Status) -> None:
    assert attempt(facts(status, since=NOW, anomalies=LOST), A.ESCALATE, SYSTEM) == INVALID


@pytest.mark.parametrize("role", [BUYER, PLATFORM, SYSTEM])
def test_escalate_in_transit_not_lost(role: Role) -> None:
    assert attempt(facts(TRA, since=NOW - 30 * DAY + US), A.ESCALATE, role) == NOT_LOST
    assert attempt(facts(TRA, since=NOW), A.ESCALATE, role) == NOT_LOST
    assert attempt(facts(TRA, since=NOW, anomalies=frozenset({Anomaly.SHORT})), A.ESCALATE, role) == NOT_LOST


@pytest.mark.parametrize("role", [BUYER, PLATFORM, SYSTEM])
def test_escalate_in_transit_lost_by_time(role: Role) -> None:
    assert attempt(facts(TRA, since=NOW - 30 * DAY), A.ESCALATE, role) == DIS
    assert attempt(facts(TRA, since=NOW - 90 * DAY), A.ESCALATE, role) == DIS


@pytest.mark.parametrize("role", [BUYER, PLATFORM, SYSTEM])
def test_escalate_in_transit_lost_by_anomaly(role: Role) -> None:
    assert attempt(facts(TRA, since=NOW, anomalies=LOST), A.ESCALATE, role) == DIS


@pytest.mark.parametrize(
    ("lines", "role"),
    list(product([(), (ACC,), (PEN,), (RJ, ACC), (RJ, PEN), (ACC, RJ, RJ), (PEN, PEN)], [PLATFORM, SYSTEM])),
)
def test_close_inspected_with_a_line_not_rejected(lines: tuple[LineOutcome, ...], role: Role) -> None:
    inspected = facts(INS, since=NOW - 60 * DAY, line_outcomes=lines)
    assert attempt(inspected, A.CLOSE, role) == NOT_ALL_REJECTED


@pytest.mark.parametrize(("lines", "role"), list(product([(RJ,), (RJ, RJ, RJ)], [PLATFORM, SYSTEM])))
def test_close_inspected_with_every_line_rejected(lines: tuple[LineOutcome, ...], role: Role) -> None:
    assert attempt(facts(INS, since=NOW - 15 * DAY, line_outcomes=lines), A.CLOSE, role) == CLO


@pytest.mark.parametrize("status", [REJ, INS, RES])
def test_system_close_before_the_window(status: Status) -> None:
    closing = facts(status, since=NOW - 15 * DAY + US, line_outcomes=(RJ,))
    assert attempt(closing, A.CLOSE, SYSTEM) == NOT_YET_DUE
    assert attempt(replace(closing, status_since=NOW), A.CLOSE, SYSTEM) == NOT_YET_DUE


@pytest.mark.parametrize("status", [REJ, INS, RES])
def test_system_close_exactly_at_the_window(status: Status) -> None:
    assert attempt(facts(status, since=NOW - 15 * DAY, line_outcomes=(RJ,)), A.CLOSE, SYSTEM) == CLO


@pytest.mark.parametrize("status", [REJ, INS, RES])
def test_the_platform_cannot_close_before_the_buyer_may_no_longer_escalate(status: Status) -> None:
    early = facts(status, since=NOW - timedelta(minutes=1), line_outcomes=(RJ,))
    on_time = facts(status, since=NOW - 15 * DAY, line_outcomes=(RJ,))
    assert [attempt(early, A.CLOSE, PLATFORM), attempt(on_time, A.CLOSE, PLATFORM)] == [NOT_YET_DUE, CLO]


# Each clock-driven action of the system waits for its deadline, to the microsecond.
SYSTEM_CLOCK_CASES = [
    (facts(REQ, since=NOW - 5 * DAY), A.APPROVE, APP),
    (facts(REC, since=NOW - 5 * DAY), A.INSPECT, INS),
    (facts(INS, since=NOW - 2 * DAY, line_outcomes=(ACC,)), A.REFUND, REF),
    (facts(REQ, since=NOW - 3 * DAY, offer_open=True), A.DECLINE_OFFER, REQ),
]


@pytest.mark.parametrize(("due", "action", "after"), SYSTEM_CLOCK_CASES)
def test_the_system_acts_only_when_the_deadline_runs_out(due: Facts, action: Action, after: Status) -> None:
    early = replace(due, status_since=due.status_since + US)
    assert [attempt(early, action, SYSTEM), attempt(due, action, SYSTEM)] == [NOT_YET_DUE, after]


def test_the_system_does_not_refund_a_return_whose_lines_were_all_rejected() -> None:
    assert attempt(facts(INS, since=LONG_AGO, line_outcomes=(RJ,)), A.REFUND, SYSTEM) == NOT_YET_DUE


def test_an_open_offer_pauses_the_systems_approval() -> None:
    assert (
        attempt(facts(REQ, since=LONG_AGO, offer_open=True, offer_made_at=NOW - DAY), A.APPROVE, SYSTEM) == NOT_YET_DUE
    )


def test_rejected_return_escalation_and_close_windows_meet() -> None:
    at_window = facts(REJ, since=NOW - 15 * DAY)
    just_before = facts(REJ, since=NOW - 15 * DAY + US)
    assert [attempt(at_window, A.ESCALATE, BUYER), attempt(at_window, A.CLOSE, SYSTEM)] == [WINDOW_CLOSED, CLO]
    assert [attempt(just_before, A.ESCALATE, BUYER), attempt(just_before, A.CLOSE, SYSTEM)] == [DIS, NOT_YET_DUE]


def test_close_of_resolved_uses_close_after_resolution() -> None:
    policy = Policy(version=2, close_after_resolution=timedelta(days=20), escalation_window=timedelta(days=5))
    resolved = facts(RES, since=NOW - 19 * DAY, policy=policy)
    rejected = facts(REJ, since=NOW - 19 * DAY, policy=policy)
    assert attempt(resolved, A.CLOSE, SYSTEM) == NOT_YET_DUE
    assert attempt(replace(resolved, status_since=NOW - 20 * DAY), A.CLOSE, SYSTEM) == CLO
    assert attempt(rejected, A.CLOSE, SYSTEM) == CLO


def test_reopen_without_supervisor() -> None:
    assert attempt(facts(RES), A.REOPEN, AGENT) == SUPERVISOR_REQUIRED
    assert attempt(facts(RES), A.REOPEN, AGENT, supervisor=False) == SUPERVISOR_REQUIRED


def test_reopen_with_supervisor() -> None:
    assert attempt(facts(RES, since=NOW - 90 * DAY), A.REOPEN, AGENT, supervisor=True) == DIS


def test_supervisor_required_is_a_forbidden_action() -> None:
    with pytest.raises(ForbiddenAction) as caught:
        plan(facts(RES), A.REOPEN, AGENT, NOW)
    assert type(caught.value) is SupervisorRequired
    assert (caught.value.code, caught.value.status) == ("supervisor_required", 403)


def test_guards_follow_the_facts_policy() -> None:
    policy = Policy(version=2, escalation_window=timedelta(days=30), transit=timedelta(days=10))
    assert attempt(facts(REJ, since=NOW - 20 * DAY, policy=policy), A.ESCALATE, BUYER) == DIS
    assert attempt(facts(TRA, since=NOW - 10 * DAY, policy=policy), A.ESCALATE, BUYER) == DIS
    assert attempt(facts(REJ, since=NOW - 29 * DAY, policy=policy), A.CLOSE, SYSTEM) == NOT_YET_DUE


# --- Deadlines ----------------------------------------------------------------------------------

SINCE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SHIP_BY = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)
OFFER_MADE = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

DEADLINE_CASES: list[tuple[str, Facts, datetime | None, Deadline | None]] = [
    ("requested", Facts(REQ, SINCE), None, Deadline(datetime(2026, 3, 6, 9, 30, tzinfo=UTC), DueAction.APPROVE)),
    (
        "requested, offer open",
        Facts(REQ, SINCE, offer_open=True),
        OFFER_MADE,
        Deadline(datetime(2026, 3, 5, 14, 0, tzinfo=UTC), DueAction.DECLINE_OFFER),
    ),
    (
        "requested, offer open, no time",
        Facts(REQ, SINCE, offer_open=True),
        None,
        Deadline(datetime(2026, 3, 4, 9, 30, tzinfo=UTC), DueAction.DECLINE_OFFER),
    ),
    ("approved", Facts(APP, SINCE, ship_by=SHIP_BY), None, Deadline(SHIP_BY, DueAction.EXPIRE)),
    (
        "approved, offer flag ignored",
        Facts(APP, SINCE, ship_by=SHIP_BY, offer_open=True),
        OFFER_MADE,
        Deadline(SHIP_BY, DueAction.EXPIRE),
    ),
    ("rejected", Facts(REJ, SINCE), None, Deadline(datetime(2026, 3, 16, 9, 30, tzinfo=UTC), DueAction.CLOSE)),
    ("in transit", Facts(TRA, SINCE), None, Deadline(datetime(2026, 3, 31, 9, 30, tzinfo=UTC), DueAction.ESCALATE)),
    (
        "in transit, lost",
        Facts(TRA, SINCE, anomalies=LOST),
        None,
        Deadline(datetime(2026, 3, 31, 9, 30, tzinfo=UTC), DueAction.ESCALATE),
    ),
    ("received", Facts(REC, SINCE), None, Deadline(datetime(2026, 3, 6, 9, 30, tzinfo=UTC), DueAction.INSPECT)),
    (
        "inspected, all rejected",
        Facts(INS, SINCE, line_outcomes=(RJ, RJ)),
        None,
        Deadline(datetime(2026, 3, 16, 9, 30, tzinfo=UTC), DueAction.CLOSE),
    ),
    (
        "inspected, one rejected",
        Facts(INS, SINCE, line_outcomes=(RJ,)),
        None,
        Deadline(datetime(2026, 3, 16, 9, 30, tzinfo=UTC), DueAction.CLOSE),
    ),
    (
        "inspected, accepted",
        Facts(INS, SINCE, line_outcomes=(ACC,)),
        None,
        Deadline(datetime(2026, 3, 3, 9, 30, tzinfo=UTC), DueAction.REFUND),
    ),
    (
        "inspected, mixed",
        Facts(INS, SINCE, line_outcomes=(RJ, ACC)),
        None,
        Deadline(datetime(2026, 3, 3, 9, 30, tzinfo=UTC), DueAction.REFUND),
    ),
    (
        "inspected, pending",
        Facts(INS, SINCE, line_outcomes=(RJ, PEN)),
        None,
        Deadline(datetime(2026, 3, 3, 9, 30, tzinfo=UTC), DueAction.REFUND),
    ),
    (
        "inspected, no lines",
        Facts(INS, SINCE),
        None,
        Deadline(datetime(2026, 3, 3, 9, 30, tzinfo=UTC), DueAction.REFUND),
    ),
    (
        "inspected, offer open",
        Facts(INS, SINCE, offer_open=True, line_outcomes=(RJ,)),
        OFFER_MADE,
        Deadline(datetime(2026, 3, 5, 14, 0, tzinfo=UTC), DueAction.DECLINE_OFFER),
    ),
    ("refunding", Facts(REF, SINCE), None, None),
    ("disputed", Facts(DIS, SINCE), None, Deadline(datetime(2026, 3, 8, 9, 30, tzinfo=UTC), DueAction.SUPERVISE)),
    ("resolved", Facts(RES, SINCE), None, Deadline(datetime(2026, 3, 16, 9, 30, tzinfo=UTC), DueAction.CLOSE)),
    ("expired", Facts(EXP, SINCE, ship_by=SHIP_BY), None, None),
    ("cancelled", Facts(CAN, SINCE), None, None),
    ("cancelled, offer flag ignored", Facts(CAN, SINCE, offer_open=True), OFFER_MADE, None),
    ("closed", Facts(CLO, SINCE), None, None),
]


def test_deadline_cases_cover_every_status() -> None:
    assert {case[1].status for case in DEADLINE_CASES} == set(Status)


@pytest.mark.parametrize(
    ("label", "state", "offer_made_at", "expected"), DEADLINE_CASES, ids=[case[0] for case in DEADLINE_CASES]
)
def test_next_deadline(label: str, state: Facts, offer_made_at: datetime | None, expected: Deadline | None) -> None:
    assert next_deadline(state, offer_made_at=offer_made_at) == expected


def test_next_deadline_follows_the_facts_policy() -> None:
    policy = Policy(
        version=2, seller_answer=timedelta(days=2), offer_answer=timedelta(hours=12), dispute_decision=timedelta(days=1)
    )
    assert next_deadline(Facts(REQ, SINCE, policy=policy)) == Deadline(SINCE + 2 * DAY, DueAction.APPROVE)
    assert next_deadline(Facts(REQ, SINCE, offer_open=True, policy=policy), offer_made_at=OFFER_MADE) == Deadline(
        datetime(2026, 3, 3, 2, 0, tzinfo=UTC), DueAction.DECLINE_OFFER
    )
    assert next_deadline(Facts(DIS, SINCE, policy=policy)) == Deadline(SINCE + DAY, DueAction.SUPERVISE)


# The system's due action succeeds as soon as its deadline has passed.
DUE_CASES: list[tuple[Facts, DueAction, Action, Status]] = [
    (Facts(REQ, SINCE), DueAction.APPROVE, A.APPROVE, APP),
    (Facts(REQ, SINCE, offer_open=True), DueAction.DECLINE_OFFER, A.DECLINE_OFFER, REQ),
    (Facts(APP, SINCE, ship_by=SHIP_BY), DueAction.EXPIRE, A.EXPIRE, EXP),
    (Facts(TRA, SINCE), DueAction.ESCALATE, A.ESCALATE, DIS),
    (Facts(REC, SINCE), DueAction.INSPECT, A.INSPECT, INS),
    (Facts(INS, SINCE, line_outcomes=(RJ,)), DueAction.CLOSE, A.CLOSE, CLO),
    (Facts(INS, SINCE, line_outcomes=(ACC,)), DueAction.REFUND, A.REFUND, REF),
    (Facts(REJ, SINCE), DueAction.CLOSE, A.CLOSE, CLO),
    (Facts(RES, SINCE), DueAction.CLOSE, A.CLOSE, CLO),
]


@pytest.mark.parametrize(
    ("state", "due", "action", "expected"), DUE_CASES, ids=[f"{case[0].status}-{case[2]}" for case in DUE_CASES]
)
def test_due_action_is_allowed_once_the_deadline_has_passed(
    state: Facts, due: DueAction, action: Action, expected: Status
) -> None:
    deadline = next_deadline(state)
    assert deadline is not None
    assert deadline.action is due
    assert attempt(state, action, SYSTEM, deadline.at + US) == expected


def test_ship_by_after_approval() -> None:
    assert ship_by_after(SINCE) == SHIP_BY
    assert ship_by_after(SINCE, Policy(version=2, ship_within=timedelta(days=3))) == SINCE + 3 * DAY


def test_default_policy_figures() -> None:
    assert (
        Policy(
            version=1,
            seller_answer=5 * DAY,
            offer_answer=3 * DAY,
            ship_within=10 * DAY,
            transit=30 * DAY,
            receive_after_delivery=5 * DAY,
            inspect_within=5 * DAY,
            refund_within=2 * DAY,
            escalation_window=15 * DAY,
            dispute_decision=7 * DAY,
            close_after_resolution=15 * DAY,
            return_window_days=30,
        )
        == DEFAULT_POLICY
    )


# --- Return window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivered_at", "zone", "country", "local_end", "utc_end"),
    [
        # 08:30 on 2 March in Tokyo; last day 1 April; ends at midnight starting 2 April, Tokyo time.
        (
            datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
            "Asia/Tokyo",
            "JP",
            datetime(2026, 4, 2, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            datetime(2026, 4, 1, 15, 0, tzinfo=UTC),
        ),
        # Exactly local midnight starting 2 March in Tokyo.
        (
            datetime(2026, 3, 1, 15, 0, tzinfo=UTC),
            "Asia/Tokyo",
            "JP",
            datetime(2026, 4, 2, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            datetime(2026, 4, 1, 15, 0, tzinfo=UTC),
        ),
        # One microsecond earlier it is still 1 March in Tokyo.
        (
            datetime(2026, 3, 1, 14, 59, 59, 999999, tzinfo=UTC),
            "Asia/Tokyo",
            "JP",
            datetime(2026, 4, 1, 0, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
            datetime(2026, 3, 31, 15, 0, tzinfo=UTC),
        ),
        # UTC: last day 31 March.
        (
            datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
            "UTC",
            "GB",
            datetime(2026, 4, 1, 0, 0, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
            "UTC",
            "GB",
            datetime(2026, 4, 1, 0, 0, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
        ),
        # Still 28 February in Los Angeles (PST); the window ends after DST began (PDT, -07:00).
        (
            datetime(2026, 3, 1, 5, 0, tzinfo=UTC),
            "America/Los_Angeles",
            "US",
            datetime(2026, 3, 31, 0, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
            datetime(2026, 3, 31, 7, 0, tzinfo=UTC),
        ),
    ],
)
def test_return_window_end(
    delivered_at: datetime, zone: str, country: str, local_end: datetime, utc_end: datetime
) -> None:
    end = return_window_end(delivered_at, zone, country)
    assert end == utc_end
    assert end.astimezone(UTC) == utc_end
    assert (end.replace(tzinfo=None), end.tzinfo) == (local_end.replace(tzinfo=None), ZoneInfo(zone))


def test_return_window_end_when_local_midnight_does_not_exist() -> None:
    # Egypt starts DST at 00:00 on the last Friday of April (24 April 2026), after Thursday, a
    # business day there: local midnight is skipped, and the first instant of 24 April is
    # 01:00 +03:00 = 22:00 UTC on the 23rd.
    end = return_window_end(datetime(2026, 3, 24, 12, 0, tzinfo=UTC), "Africa/Cairo", "EG")
    assert end.astimezone(UTC) == datetime(2026, 4, 23, 22, 0, tzinfo=UTC)


def test_return_window_end_follows_the_policy() -> None:
    policy = Policy(version=2, return_window_days=14)
    end = return_window_end(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "Europe/Berlin", "DE", policy)
    assert end.astimezone(UTC) == datetime(2026, 3, 16, 23, 0, tzinfo=UTC)


ZONES = [
    "UTC",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "America/Santiago",
    "America/Havana",
    "Asia/Tehran",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Europe/Berlin",
    "America/St_Johns",
    "Africa/Casablanca",
]


# Buyers' countries: weekends on Saturday-Sunday and Friday-Saturday, working Saturdays (CN), many
# holidays (JP) or movable ones (EG, IL), and a code the holidays package lacks (Saturday-Sunday).
COUNTRIES = ["DE", "US", "JP", "CL", "CU", "EG", "IL", "CN", "IN", "AE", "NP", "AU", "GB", "XX"]


def business_day_oracle(day: date, country: str) -> bool:
    """Straight from the holidays package, not through the calendar module's cache."""
    try:
        calendar = holidays.country_holidays(country, years=day.year)
    except NotImplementedError:
        return day.weekday() < 5
    if day in calendar:
        return False
    return day.weekday() not in calendar.weekend or day in calendar.weekend_workdays


@pytest.mark.filterwarnings("ignore:Requested Holidays are available only:UserWarning")
@given(
    st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)),
    st.sampled_from(ZONES),
    st.sampled_from(COUNTRIES),
    st.integers(1, 120),
)
def test_return_window_ends_at_the_local_midnight_after_a_business_day(
    delivered_at: datetime, zone: str, country: str, days: int
) -> None:
    tz = ZoneInfo(zone)
    earliest: date = delivered_at.astimezone(tz).date() + timedelta(days=days)
    end = return_window_end(delivered_at, zone, country, Policy(version=2, return_window_days=days)).astimezone(UTC)
    last_day = (end - US).astimezone(tz).date()
    assert end.astimezone(tz).date() == last_day + DAY
    assert last_day >= earliest
    assert business_day_oracle(last_day, country)
    skipped = [earliest + timedelta(days=n) for n in range((last_day - earliest).days)]
    assert not any(business_day_oracle(day, country) for day in skipped)
    assert end > delivered_at


# --- Quantity holds -----------------------------------------------------------------------------

NEVER_HOLDS = frozenset({CAN, EXP})
CLOSED_WITHOUT_A_CLAIM = frozenset({REJ, EXP})


def expected_hold(status: Status, closed_from: Status | None) -> bool:
    return status not in NEVER_HOLDS and not (status is CLO and closed_from in CLOSED_WITHOUT_A_CLAIM)


@pytest.mark.parametrize(("status", "closed_from"), list(product(Status, [None, *Status])))
def test_holds_quantity(status: Status, closed_from: Status | None) -> None:
    assert holds_quantity(status, closed_from) is expected_hold(status, closed_from)


@pytest.mark.parametrize(
    ("status", "closed_from", "expected"),
    [
        (REQ, None, True),
        (APP, None, True),
        (TRA, None, True),
        (REF, None, True),
        (DIS, None, True),
        (CAN, None, False),
        (EXP, None, False),
        (CAN, REQ, False),
        (CLO, REJ, False),
        (CLO, EXP, False),
        (CLO, RES, True),
        (CLO, INS, True),
        (CLO, None, True),
    ],
)
def test_holds_quantity_examples(status: Status, closed_from: Status | None, expected: bool) -> None:
    assert holds_quantity(status, closed_from) is expected


# --- Random walks through the lifecycle ---------------------------------------------------------

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
OFFER_EFFECT = {A.OFFER: True, A.ACCEPT_OFFER: False, A.DECLINE_OFFER: False}
CLOCK_STEPS = [timedelta(minutes=1), timedelta(hours=6), DAY, 3 * DAY, 11 * DAY, 16 * DAY, 31 * DAY]


# What the system's sweep does when a deadline runs out, and the status that follows (the offer
# lapsing leaves the status as it is; a supervisor, not the system, answers an overdue dispute).
DUE_ACTIONS = {
    DueAction.APPROVE: A.APPROVE,
    DueAction.EXPIRE: A.EXPIRE,
    DueAction.ESCALATE: A.ESCALATE,
    DueAction.RECEIVE: A.RECEIVE,
    DueAction.INSPECT: A.INSPECT,
    DueAction.REFUND: A.REFUND,
    DueAction.DECLINE_OFFER: A.DECLINE_OFFER,
    DueAction.CLOSE: A.CLOSE,
}
DUE_OUTCOMES = {
    DueAction.APPROVE: APP,
    DueAction.EXPIRE: EXP,
    DueAction.ESCALATE: DIS,
    DueAction.RECEIVE: REC,
    DueAction.INSPECT: INS,
    DueAction.REFUND: REF,
    DueAction.CLOSE: CLO,
}


def system_due(state: Facts) -> DueAction | None:
    deadline = next_deadline(state)
    return deadline.action if deadline is not None and deadline.action in DUE_ACTIONS else None


class ReturnWalk(RuleBasedStateMachine):
    """One return driven by random actors; a model keeps the facts the services would keep."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.facts = Facts(status=REQ, status_since=START)
        self.reached_terminal = False

    @rule(step=st.sampled_from(CLOCK_STEPS))
    def advance_clock(self, step: timedelta) -> None:
        self.now += step

    @rule(outcomes=st.lists(st.sampled_from(LineOutcome), max_size=3).map(tuple))
    def record_line_outcomes(self, outcomes: tuple[LineOutcome, ...]) -> None:
        self.facts = replace(self.facts, line_outcomes=outcomes)

    @rule()
    def carrier_reports_loss(self) -> None:
        self.facts = replace(self.facts, anomalies=self.facts.anomalies | LOST)

    @rule(
        attention_in=st.none() | st.sampled_from(CLOCK_STEPS),
        money_due_in=st.none() | st.sampled_from(CLOCK_STEPS),
        settled=st.booleans(),
    )
    def the_ledger_reports(self, attention_in: timedelta | None, money_due_in: timedelta | None, settled: bool) -> None:
        self.facts = replace(
            self.facts,
            attention_at=None if attention_in is None else self.now + attention_in,
            money_due_at=None if money_due_in is None else self.now + money_due_in,
            settled=settled,
        )

    @rule(
        action=st.sampled_from(Action),
        role=st.sampled_from(Role),
        supervisor=st.booleans(),
        decision=st.none() | st.sampled_from(Status),
    )
    def anyone_tries_anything(self, action: Action, role: Role, supervisor: bool, decision: Status | None) -> None:
        self._try(action, role, supervisor=supervisor, target=decision)

    @rule(data=st.data())
    def someone_entitled_acts(self, data: st.DataObject) -> None:
        actions = sorted(a for a, (_, sources, _) in EXPECTED_TABLE.items() if self.facts.status in sources)
        action = data.draw(st.sampled_from(actions or sorted(Action)))
        role = data.draw(st.sampled_from(sorted(EXPECTED_TABLE[action][0])))
        self._try(action, role, supervisor=True, target=data.draw(st.sampled_from([REF, APP, RES])))

    @precondition(lambda self: system_due(self.facts) is not None)
    @rule()
    def the_clock_runs_out(self) -> None:
        deadline = next_deadline(self.facts)
        assert deadline is not None
        before = self.facts.status
        self.now = max(self.now, deadline.at + US)
        outcome = self._try(DUE_ACTIONS[deadline.action], SYSTEM, supervisor=False, target=None)
        assert outcome == DUE_OUTCOMES.get(deadline.action, before), (before, deadline, outcome)

    def _try(self, action: Action, role: Role, *, supervisor: bool, target: Status | None) -> Status | Refused:
        before = self.facts.status
        outcome = attempt(self.facts, action, role, self.now, supervisor=supervisor, target=target)
        if isinstance(outcome, Refused):
            assert refusal_is_expected(before, action, role, outcome), (before, action, role, outcome)
            return outcome
        assert not self.reached_terminal, (before, action, role, outcome)
        assert transition_is_expected(before, action, role, outcome), (before, action, role, outcome)
        assert outcome is not REF or before is REF or action in REFUNDING_ENTRIES, (before, action)
        changed = outcome is not before
        offer_open = OFFER_EFFECT.get(action, self.facts.offer_open and not changed)
        paused = self.facts.offer_paused
        if action is A.DECLINE_OFFER:
            # The seller's clock stood still from the offer until its answer (at the latest its expiry).
            made_at = self.facts.offer_made_at
            assert made_at is not None
            paused += min(self.now, made_at + DEFAULT_POLICY.offer_answer) - made_at
        # A new status starts its clocks afresh; the ledger's facts are recomputed there.
        self.facts = replace(
            self.facts,
            status=outcome,
            status_since=self.now if changed else self.facts.status_since,
            ship_by=ship_by_after(self.now) if changed and outcome is APP else self.facts.ship_by,
            offer_open=offer_open,
            offer_made_at=(self.now if action is A.OFFER else self.facts.offer_made_at) if offer_open else None,
            offer_paused=timedelta(0) if changed else paused,
            anomalies=frozenset() if changed and outcome is TRA else self.facts.anomalies,
            attention_at=None if changed else self.facts.attention_at,
            money_due_at=None if changed else self.facts.money_due_at,
            settled=False if changed else self.facts.settled,
        )
        self.reached_terminal = self.reached_terminal or outcome in TERMINAL_STATUSES
        return outcome

    @invariant()
    def terminal_is_never_left(self) -> None:
        assert not self.reached_terminal or self.facts.status in TERMINAL_STATUSES

    @invariant()
    def a_deadline_exists_unless_nothing_is_due(self) -> None:
        deadline = next_deadline(self.facts)
        supervised = self.facts.status is REF and self.facts.attention_at is not None
        assert (deadline is None) is (self.facts.status in NO_DEADLINE and not supervised)
        assert deadline is None or deadline.at > self.facts.status_since

    @precondition(lambda self: self.facts.status in TERMINAL_STATUSES)
    @invariant()
    def nothing_succeeds_once_terminal(self) -> None:
        outcomes = [
            attempt(self.facts, action, role, self.now, supervisor=True, target=target)
            for action, role, target in product(Action, Role, [REF, APP, RES])
        ]
        assert [o for o in outcomes if not isinstance(o, Refused)] == []


TestReturnWalk = ReturnWalk.TestCase
