"""Policy versions in the database: version 1, the version in force, and returns keeping theirs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from returndesk.core.actors import SYSTEM_CLOCK
from returndesk.marketplace.models import Seller
from returndesk.policies import selectors
from returndesk.policies.domain.policy import CORE_DEFAULT, ClockDays, policy_from_json, policy_to_json
from returndesk.policies.models import PolicyVersion
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import DEFAULT_POLICY, Action, DueAction, Status, lifecycle_policy
from returndesk.scenarios.journeys import order_placed, return_opened
from returndesk.testing import NOW

DAY = timedelta(days=1)
QUICK = replace(CORE_DEFAULT, seller_bounds=None, clock_days=ClockDays(seller_answer=2, ship_within=4), window_days=20)


def _version(seller: Seller | None, policy=QUICK, *, at=NOW) -> PolicyVersion:
    return PolicyVersion.objects.create(
        seller=seller, document=policy_to_json(policy), effective_at=at, actor_kind="platform", actor_id="test"
    )


def test_the_core_default_is_version_1_and_reads_back_as_the_lifecycle_s_default(db: None) -> None:
    default = selectors.policy_version_get(version=1)

    assert (default.version, default.seller_id, default.policy) == (1, None, CORE_DEFAULT)
    assert lifecycle_policy(1, CORE_DEFAULT) == DEFAULT_POLICY


def test_a_version_reads_once_then_from_memory(db: None, django_assert_num_queries) -> None:
    version = _version(None).version

    with django_assert_num_queries(1):
        first = selectors.policy_version_get(version=version)
    with django_assert_num_queries(0):
        again = selectors.policy_version_get(version=version)

    assert first is again
    assert first.policy == QUICK


def test_a_missing_version_is_not_found(db: None) -> None:
    with pytest.raises(selectors.PolicyVersionNotFound):
        selectors.policy_version_get(version=999)


def test_in_force_is_the_seller_s_latest_else_the_default_s_latest(db: None, django_assert_num_queries) -> None:
    order = order_placed()
    other = order_placed(seller="S-B")
    seller = order.seller
    assert selectors.policy_in_force(seller_id=seller.pk).version == 1

    newer_default = _version(None).version
    own = _version(seller).version
    own_later = _version(seller, replace(QUICK, window_days=25)).version
    newest_default = _version(None).version

    with django_assert_num_queries(1):
        in_force = selectors.policy_in_force(seller_id=seller.pk)
    assert (in_force.version, in_force.seller_id, in_force.policy.window_days) == (own_later, seller.pk, 25)
    assert selectors.policy_in_force(seller_id=other.seller_id).version == newest_default
    assert newer_default < own < own_later < newest_default


def test_the_json_document_round_trips_every_field() -> None:
    document = policy_to_json(QUICK)

    assert policy_from_json(document) == QUICK
    assert policy_to_json(CORE_DEFAULT)["clock_days"] == {
        "seller_answer": 5,
        "offer_answer": 3,
        "ship_within": 10,
        "transit": 30,
        "receive_after_delivery": 5,
        "inspect_within": 5,
        "refund_within": 2,
        "refund_attention": 3,
        "manual_refund_confirm": 3,
        "escalation_window": 15,
        "dispute_decision": 7,
        "close_after_resolution": 15,
    }


def test_a_return_opened_before_a_new_version_keeps_its_version_and_clocks(db: None) -> None:
    order = order_placed()
    before = return_opened(order=order, now=NOW)
    version = _version(order.seller, at=NOW + DAY).version
    after = return_opened(order=order_placed(), now=NOW + DAY)

    before.refresh_from_db()
    assert (before.policy_id, before.due_at, before.due_action) == (1, NOW + 5 * DAY, DueAction.APPROVE)
    assert (after.policy_id, after.due_at, after.due_action) == (version, NOW + 3 * DAY, DueAction.APPROVE)

    # The clock approves each by its own version's time, and gives each its own ship-by.
    for ret, due in ((before, NOW + 5 * DAY), (after, NOW + 3 * DAY)):
        approved = services.return_approve(code=ret.code, actor=SYSTEM_CLOCK, now=due)
        assert approved.status == Status.APPROVED
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.ship_by == NOW + 15 * DAY
    assert after.ship_by == NOW + 7 * DAY


def test_the_clock_does_not_approve_before_the_return_s_own_seller_answer_time(db: None) -> None:
    order = order_placed()
    _version(order.seller, replace(QUICK, clock_days=ClockDays(seller_answer=9)))
    ret = return_opened(order=order)

    with pytest.raises(services.lifecycle.NotYetDue):
        services.return_transition(code=ret.code, actor=SYSTEM_CLOCK, action=Action.APPROVE, now=NOW + 5 * DAY)
