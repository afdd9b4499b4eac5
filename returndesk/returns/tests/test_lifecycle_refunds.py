"""The lifecycle of the refund ledger (issue 9): top-ups from refunding, settling only when the
money is back, offers that pause the seller's clock and lapse, supervision while refunding, and
the escalation window that waits for the money. Pure: plain facts, literal expected values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returndesk.core.actors import Role
from returndesk.core.errors import ForbiddenAction, InvalidTransition, ReturndeskError
from returndesk.returns.domain.lifecycle import (
    TABLE,
    Action,
    Deadline,
    DueAction,
    Facts,
    LineOutcome,
    Policy,
    Status,
    actions_for,
    close_at,
    escalation_end,
    next_deadline,
    offer_expires_at,
    offer_paused_after,
    offer_withdrawn,
    plan,
)

S, A, R = Status, Action, Role
REQ, INS, REF, RES, REJ, DIS = S.REQUESTED, S.INSPECTED, S.REFUNDING, S.RESOLVED, S.REJECTED, S.DISPUTED
ACC, RJ = LineOutcome.ACCEPTED, LineOutcome.REJECTED
US, HOUR, DAY = timedelta(microseconds=1), timedelta(hours=1), timedelta(days=1)
SINCE = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def outcome(facts: Facts, action: Action, role: Role, now: datetime) -> Status | str:
    try:
        return plan(facts, action, role, now, target=REF if action is A.DECIDE else None)
    except ReturndeskError as error:
        return error.code


# --- Refund from refunding, settle --------------------------------------------------------------


@pytest.mark.parametrize("role", [R.SELLER, R.PLATFORM, R.AGENT])
def test_a_refunding_return_takes_a_top_up(role: Role) -> None:
    assert outcome(Facts(REF, SINCE), A.REFUND, role, SINCE + DAY) == REF


def test_the_system_never_tops_up_even_when_the_refunding_return_is_overdue() -> None:
    overdue = Facts(REF, SINCE, attention_at=SINCE + DAY, money_due_at=SINCE)
    assert outcome(overdue, A.REFUND, R.SYSTEM, SINCE + 60 * DAY) == "not_yet_due"


@pytest.mark.parametrize("status", [s for s in Status if s not in {INS, REF}])
def test_refund_from_any_other_status_is_an_invalid_transition(status: Status) -> None:
    assert outcome(Facts(status, SINCE, ship_by=SINCE), A.REFUND, R.AGENT, SINCE) == "invalid_transition"


def test_settle_needs_every_live_transaction_succeeded() -> None:
    unsettled, settled = Facts(REF, SINCE), Facts(REF, SINCE, settled=True)
    assert [outcome(unsettled, A.SETTLE, R.SYSTEM, SINCE), outcome(settled, A.SETTLE, R.SYSTEM, SINCE)] == [
        "not_settled",
        RES,
    ]
    assert (A.SETTLE in actions_for(unsettled, R.SYSTEM, SINCE), A.SETTLE in actions_for(settled, R.SYSTEM, SINCE)) == (
        False,
        True,
    )


def test_not_settled_is_a_conflict() -> None:
    with pytest.raises(InvalidTransition) as caught:
        plan(Facts(REF, SINCE), A.SETTLE, R.SYSTEM, SINCE)
    assert (caught.value.code, caught.value.status) == ("not_settled", 409)


# --- next_deadline, status by status -------------------------------------------------------------

PAUSED = DAY + 6 * HOUR
MADE = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
ATTENTION = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
MONEY_DUE = datetime(2026, 3, 20, 23, 0, tzinfo=UTC)

DEADLINES: list[tuple[str, Facts, Deadline | None]] = [
    ("requested", Facts(REQ, SINCE), Deadline(datetime(2026, 3, 7, 9, 30, tzinfo=UTC), DueAction.APPROVE)),
    (
        "requested, offers were open for a day and 6 hours",
        Facts(REQ, SINCE, offer_paused=PAUSED),
        Deadline(datetime(2026, 3, 8, 15, 30, tzinfo=UTC), DueAction.APPROVE),
    ),
    (
        "requested, an offer open: it lapses at its expiry, whatever the pause so far",
        Facts(REQ, SINCE, offer_open=True, offer_made_at=MADE, offer_paused=PAUSED),
        Deadline(datetime(2026, 3, 8, 14, 0, tzinfo=UTC), DueAction.DECLINE_OFFER),
    ),
    ("inspected", Facts(INS, SINCE, line_outcomes=(ACC,)), Deadline(SINCE + 2 * DAY, DueAction.REFUND)),
    (
        "inspected, paused",
        Facts(INS, SINCE, line_outcomes=(ACC,), offer_paused=PAUSED),
        Deadline(datetime(2026, 3, 5, 15, 30, tzinfo=UTC), DueAction.REFUND),
    ),
    (
        "inspected, an offer open",
        Facts(INS, SINCE, line_outcomes=(ACC,), offer_open=True, offer_made_at=MADE),
        Deadline(datetime(2026, 3, 8, 14, 0, tzinfo=UTC), DueAction.DECLINE_OFFER),
    ),
    (
        "inspected, every line rejected: the pause does not delay the close",
        Facts(INS, SINCE, line_outcomes=(RJ,), offer_paused=PAUSED),
        Deadline(SINCE + 15 * DAY, DueAction.CLOSE),
    ),
    ("refunding, nothing to watch", Facts(REF, SINCE, money_due_at=MONEY_DUE), None),
    ("refunding, supervised", Facts(REF, SINCE, attention_at=ATTENTION), Deadline(ATTENTION, DueAction.SUPERVISE)),
    (
        "refunding, an attention time before the status began still counts",
        Facts(REF, SINCE, attention_at=SINCE - DAY),
        Deadline(SINCE - DAY, DueAction.SUPERVISE),
    ),
    ("resolved, no money due", Facts(RES, SINCE), Deadline(SINCE + 15 * DAY, DueAction.CLOSE)),
    (
        "resolved, money due before resolving",
        Facts(RES, SINCE, money_due_at=SINCE - 3 * DAY),
        Deadline(SINCE + 15 * DAY, DueAction.CLOSE),
    ),
    (
        "resolved, money due later: the escalation end",
        Facts(RES, SINCE, money_due_at=MONEY_DUE),
        Deadline(datetime(2026, 4, 4, 23, 0, tzinfo=UTC), DueAction.CLOSE),
    ),
    (
        "resolved, a long close_after_resolution beats the escalation end",
        Facts(
            RES,
            SINCE,
            money_due_at=SINCE + 2 * DAY,
            policy=Policy(version=2, close_after_resolution=20 * DAY, escalation_window=5 * DAY),
        ),
        Deadline(SINCE + 20 * DAY, DueAction.CLOSE),
    ),
    (
        "rejected ignores money due",
        Facts(REJ, SINCE, money_due_at=MONEY_DUE),
        Deadline(SINCE + 15 * DAY, DueAction.CLOSE),
    ),
    ("disputed", Facts(DIS, SINCE, attention_at=ATTENTION), Deadline(SINCE + 7 * DAY, DueAction.SUPERVISE)),
]


@pytest.mark.parametrize(("label", "state", "expected"), DEADLINES, ids=[case[0] for case in DEADLINES])
def test_next_deadline_per_status(label: str, state: Facts, expected: Deadline | None) -> None:
    assert next_deadline(state) == expected


def test_close_at_and_escalation_end_examples() -> None:
    resolved = Facts(RES, SINCE, money_due_at=MONEY_DUE)
    assert (escalation_end(resolved), close_at(resolved)) == (MONEY_DUE + 15 * DAY, MONEY_DUE + 15 * DAY)
    assert (escalation_end(Facts(REJ, SINCE, money_due_at=MONEY_DUE)), close_at(Facts(RES, SINCE))) == (
        SINCE + 15 * DAY,
        SINCE + 15 * DAY,
    )


# --- Escalation waits for the money ---------------------------------------------------------------


@pytest.mark.parametrize(("status", "role"), list(product([REF, RES], [R.BUYER, R.PLATFORM])))
def test_escalation_from_refunding_and_resolved_ends_a_window_after_the_money_is_due(
    status: Status, role: Role
) -> None:
    late = Facts(status, SINCE, money_due_at=MONEY_DUE)
    end = MONEY_DUE + 15 * DAY
    assert [outcome(late, A.ESCALATE, role, at) for at in (SINCE + 15 * DAY, end - US, end)] == [
        DIS,
        DIS,
        "escalation_window_closed",
    ]


@pytest.mark.parametrize(("status", "role"), list(product([REF, RES], [R.BUYER, R.PLATFORM])))
def test_money_due_before_the_status_began_leaves_the_window_from_the_status(status: Status, role: Role) -> None:
    early = Facts(status, SINCE, money_due_at=SINCE - 5 * DAY)
    assert [outcome(early, A.ESCALATE, role, at) for at in (SINCE + 15 * DAY - US, SINCE + 15 * DAY)] == [
        DIS,
        "escalation_window_closed",
    ]


@pytest.mark.parametrize("status", [REJ, INS])
def test_money_due_does_not_move_other_escalation_windows(status: Status) -> None:
    rejected = Facts(status, SINCE, money_due_at=MONEY_DUE, line_outcomes=(RJ,))
    assert outcome(rejected, A.ESCALATE, R.BUYER, SINCE + 15 * DAY) == "escalation_window_closed"


@pytest.mark.parametrize("role", [R.SYSTEM, R.PLATFORM])
def test_a_resolved_return_closes_only_once_the_buyer_may_no_longer_escalate(role: Role) -> None:
    resolved = Facts(RES, SINCE, money_due_at=MONEY_DUE)
    end = MONEY_DUE + 15 * DAY
    assert [outcome(resolved, A.CLOSE, role, at) for at in (SINCE + 15 * DAY, end - US, end)] == [
        "not_yet_due",
        "not_yet_due",
        S.CLOSED,
    ]


# --- Offers: expiry, withdrawal, the pause ---------------------------------------------------------


def offered(status: Status = REQ, **kwargs: Any) -> Facts:
    return replace(Facts(status, SINCE, line_outcomes=(ACC,), offer_open=True, offer_made_at=MADE), **kwargs)


@pytest.mark.parametrize("status", [REQ, INS])
def test_an_offer_past_its_expiry_is_never_accepted(status: Status) -> None:
    expiry = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    assert offer_expires_at(offered(status)) == expiry
    assert [outcome(offered(status), A.ACCEPT_OFFER, R.PLATFORM, at) for at in (expiry - US, expiry, expiry + DAY)] == [
        REF,
        "no_open_offer",
        "no_open_offer",
    ]


def test_the_expiry_follows_the_policy_and_falls_back_to_the_status_start() -> None:
    short = offered(policy=Policy(version=2, offer_answer=12 * HOUR))
    assert (offer_expires_at(short), offer_expires_at(replace(short, offer_made_at=None))) == (
        MADE + 12 * HOUR,
        SINCE + 12 * HOUR,
    )
    assert outcome(short, A.ACCEPT_OFFER, R.BUYER, MADE + 12 * HOUR) == "no_open_offer"


@pytest.mark.parametrize("status", [REQ, INS])
def test_the_system_lapses_an_offer_at_its_expiry_and_not_before(status: Status) -> None:
    expiry = MADE + 3 * DAY
    assert [outcome(offered(status), A.DECLINE_OFFER, R.SYSTEM, at) for at in (expiry - US, expiry)] == [
        "not_yet_due",
        status,
    ]


def test_an_expired_offer_is_not_offered_for_acceptance() -> None:
    expiry = MADE + 3 * DAY
    assert (
        A.ACCEPT_OFFER in actions_for(offered(), R.BUYER, expiry - US),
        A.ACCEPT_OFFER in actions_for(offered(), R.BUYER, expiry),
    ) == (True, False)


# Leaving requested or inspected, by anything but accepting the offer, withdraws it.
WITHDRAWING = frozenset(
    {
        (REQ, A.APPROVE),
        (REQ, A.REJECT),
        (REQ, A.CANCEL),
        (REQ, A.KEEP),
        (INS, A.REFUND),
        (INS, A.EXCHANGE),
        (INS, A.ESCALATE),
        (INS, A.CLOSE),
    }
)


TRANSITIONS = [(status, action) for status, action in product(Status, Action) if status in TABLE[action].sources]


@pytest.mark.parametrize(("status", "action"), TRANSITIONS)
def test_which_transitions_withdraw_an_open_offer(status: Status, action: Action) -> None:
    after = (TABLE[action].targets or (status,))[0]
    facts = Facts(status, SINCE, offer_open=True, offer_made_at=MADE)
    closed = replace(facts, offer_open=False)
    assert (offer_withdrawn(facts, action, after), offer_withdrawn(closed, action, after)) == (
        (status, action) in WITHDRAWING,
        False,
    )


def test_offer_paused_after_adds_the_time_the_offer_was_open() -> None:
    assert offer_paused_after(offered(offer_paused=PAUSED), MADE + 5 * HOUR) == PAUSED + 5 * HOUR
    assert offer_paused_after(offered(offer_made_at=None), SINCE + 2 * HOUR) == 2 * HOUR
    # A clock that went backwards adds nothing; without an open offer nothing changes.
    assert offer_paused_after(offered(), MADE - HOUR) == timedelta(0)
    assert offer_paused_after(Facts(REQ, SINCE, offer_paused=PAUSED), MADE + 5 * DAY) == PAUSED


def test_two_offers_pause_and_resume_the_sellers_clock() -> None:
    """Requested on 2 March 09:30; an offer on the 5th 14:00 is declined on the 6th 14:00 (one day
    paused), a second made on the 7th 08:00 lapses on the 10th 08:00 (three more days)."""
    first = Facts(REQ, SINCE, offer_open=True, offer_made_at=MADE)
    after_first = replace(
        first, offer_open=False, offer_made_at=None, offer_paused=offer_paused_after(first, MADE + DAY)
    )
    second_made = datetime(2026, 3, 7, 8, 0, tzinfo=UTC)
    second = replace(after_first, offer_open=True, offer_made_at=second_made)
    lapsed_at = offer_expires_at(second)
    after_second = replace(
        second, offer_open=False, offer_made_at=None, offer_paused=offer_paused_after(second, lapsed_at)
    )
    approve_at = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)
    assert [next_deadline(state) for state in (first, after_first, second, after_second)] == [
        Deadline(datetime(2026, 3, 8, 14, 0, tzinfo=UTC), DueAction.DECLINE_OFFER),
        Deadline(datetime(2026, 3, 8, 9, 30, tzinfo=UTC), DueAction.APPROVE),
        Deadline(datetime(2026, 3, 10, 8, 0, tzinfo=UTC), DueAction.DECLINE_OFFER),
        Deadline(approve_at, DueAction.APPROVE),
    ]
    assert [outcome(after_second, A.APPROVE, R.SYSTEM, at) for at in (approve_at - US, approve_at)] == [
        "not_yet_due",
        S.APPROVED,
    ]


# --- actions_for still lists exactly what plan allows, with the ledger's facts ---------------------

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def allowed_by_plan(facts: Facts, role: Role, now: datetime) -> list[Action]:
    allowed = []
    for action in Action:
        try:
            plan(facts, action, role, now, target=REF if action is A.DECIDE else None)
        except (InvalidTransition, ForbiddenAction):
            continue
        allowed.append(action)
    return allowed


OFFSET = st.timedeltas(min_value=-30 * DAY, max_value=30 * DAY)


@given(
    status=st.sampled_from([REQ, INS, REF, RES]),
    role=st.sampled_from(Role),
    since=st.timedeltas(min_value=-40 * DAY, max_value=timedelta(0)),
    offer_open=st.booleans(),
    made=st.none() | OFFSET,
    paused=st.timedeltas(min_value=timedelta(0), max_value=10 * DAY),
    money_due=st.none() | OFFSET,
    attention=st.none() | OFFSET,
    settled=st.booleans(),
)
def test_actions_for_matches_plan_with_the_ledgers_facts(  # noqa: PLR0917 (Hypothesis passes them)
    status: Status,
    role: Role,
    since: timedelta,
    offer_open: bool,
    made: timedelta | None,
    paused: timedelta,
    money_due: timedelta | None,
    attention: timedelta | None,
    settled: bool,
) -> None:
    facts = Facts(
        status=status,
        status_since=NOW + since,
        line_outcomes=(ACC,),
        offer_open=offer_open,
        offer_made_at=None if made is None else NOW + made,
        offer_paused=paused,
        money_due_at=None if money_due is None else NOW + money_due,
        attention_at=None if attention is None else NOW + attention,
        settled=settled,
    )
    assert actions_for(facts, role, NOW) == allowed_by_plan(facts, role, NOW)
