"""Signed-in actors (seller staff, agents, buyers, counter staff) read and act through the same
selectors and services as API keys: scoped, and warehouse staff refused every deciding action by
the transition itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import Forbidden, ForbiddenAction
from returndesk.marketplace.models import Buyer, Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns import selectors, services
from returndesk.returns.domain.lifecycle import Action, Condition, LineOutcome, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW

pytestmark = pytest.mark.django_db
ALL = selectors.ReturnFilters()


def manager(ret: Return) -> Actor:
    return Actor(kind=ActorKind.SELLER_USER, id="user:1", seller_id=ret.seller_id, staff_role=StaffRole.SELLER_MANAGER)


def warehouse(ret: Return) -> Actor:
    return Actor(
        kind=ActorKind.SELLER_USER, id="user:2", seller_id=ret.seller_id, staff_role=StaffRole.SELLER_WAREHOUSE
    )


def buyer_of(ret: Return) -> Actor:
    return Actor(kind=ActorKind.BUYER, id=ret.buyer.external_id, buyer_id=ret.buyer_id)


AGENT = Actor(kind=ActorKind.AGENT, id="user:3", staff_role=StaffRole.AGENT)
COUNTER = Actor(kind=ActorKind.CARRIER, id="user:4", carrier="demo-post", staff_role=StaffRole.COUNTER, point_id="P1")


def test_seller_staff_agents_and_buyers_read_a_return_with_its_timeline(make_return: Callable[..., Return]) -> None:
    ret = make_return()

    for actor in (manager(ret), warehouse(ret), AGENT, buyer_of(ret)):
        found = selectors.return_get_for_actor(code=ret.code_display.lower(), actor=actor, with_timeline=True)
        assert (found.pk, [event.action for event in found.events.all()]) == (ret.pk, ["request"])


def test_seller_staff_and_buyers_list_only_their_own(
    make_return: Callable[..., Return], make_order: Callable[..., Order]
) -> None:
    ours = make_return()
    theirs = make_return(order=make_order(seller="S-B", buyer="B-2"))

    listed = {
        name: [ret.pk for ret in selectors.returns_list(actor=actor, filters=ALL, limit=10)[0]]
        for name, actor in {"seller": manager(ours), "buyer": buyer_of(ours), "agent": AGENT}.items()
    }

    assert listed == {"seller": [ours.pk], "buyer": [ours.pk], "agent": [theirs.pk, ours.pk]}


def test_another_sellers_staff_and_another_buyer_get_not_found(
    make_return: Callable[..., Return], make_order: Callable[..., Order]
) -> None:
    ours = make_return()
    theirs = make_return(order=make_order(seller="S-B", buyer="B-2"))

    for actor in (manager(theirs), buyer_of(theirs)):
        with pytest.raises(ReturnNotFound):
            selectors.return_get_for_actor(code=ours.code, actor=actor)


def test_counter_staff_read_no_return_beyond_the_verifier(make_return: Callable[..., Return]) -> None:
    ret = make_return()

    with pytest.raises(Forbidden):
        selectors.return_get_for_actor(code=ret.code, actor=COUNTER)
    with pytest.raises(Forbidden):
        selectors.returns_list(actor=COUNTER, filters=ALL, limit=10)
    with pytest.raises(Forbidden):
        selectors.returns_count_by_status(COUNTER)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REJECT, Action.KEEP, Action.CLOSE])
def test_warehouse_staff_are_refused_deciding_actions_by_the_transition(
    make_return: Callable[..., Return], action: Action
) -> None:
    ret = make_return()

    with pytest.raises(ForbiddenAction) as refused:
        services.return_transition(code=ret.code, actor=warehouse(ret), action=action, reason="why")

    assert (refused.value.code, Return.objects.get(pk=ret.pk).status, ret.events.count()) == (
        "forbidden_action",
        Status.REQUESTED,
        1,
    )


def test_warehouse_staff_are_refused_approve_even_for_a_code_that_does_not_exist(
    make_return: Callable[..., Return],
) -> None:
    ret = make_return()

    with pytest.raises(ForbiddenAction):
        services.return_approve(code="K7Q2XM4D9T306", actor=warehouse(ret))


def test_warehouse_staff_receive_and_inspect(make_return: Callable[..., Return]) -> None:
    ret = return_to(make_return(), Status.APPROVED)
    staff = warehouse(ret)

    services.return_receive(code=ret.code, actor=staff, note="Box dented")
    inspected = services.return_inspect(
        code=ret.code,
        actor=staff,
        lines=[LineInspection(line="L1", outcome=LineOutcome.ACCEPTED, condition=Condition.AS_NEW)],
    )

    assert (inspected.status, [event.actor_id for event in inspected.events.order_by("id")][-2:]) == (
        Status.INSPECTED,
        ["user:2", "user:2"],
    )


def test_return_actions_narrow_the_lifecycle_for_warehouse_staff(
    make_return: Callable[..., Return], django_assert_num_queries: Callable[..., object]
) -> None:
    requested = make_return()
    approved = return_to(make_return(), Status.APPROVED)
    loaded = {ret.pk: selectors.return_get_for_actor(code=ret.code, actor=AGENT) for ret in (requested, approved)}

    with django_assert_num_queries(0):
        actions = {
            (name, ret.status): selectors.return_actions(ret=loaded[ret.pk], actor=actor(ret), now=approved.updated_at)
            for ret in (requested, approved)
            for name, actor in (("manager", manager), ("warehouse", warehouse), ("buyer", buyer_of))
        }

    assert actions == {
        ("manager", Status.REQUESTED): [Action.APPROVE, Action.REJECT, Action.KEEP, Action.OFFER],
        ("warehouse", Status.REQUESTED): [],
        ("buyer", Status.REQUESTED): [Action.CANCEL],
        ("manager", Status.APPROVED): [Action.KEEP, Action.RECEIVE],
        ("warehouse", Status.APPROVED): [Action.RECEIVE],
        ("buyer", Status.APPROVED): [Action.CANCEL],
    }


def test_a_buyers_own_actor_opens_a_return_on_their_order(make_order: Callable[..., Order]) -> None:
    order = make_order()
    buyer = Buyer.objects.get(pk=order.buyer_id)
    actor = Actor(kind=ActorKind.BUYER, id=buyer.external_id, buyer_id=buyer.pk)

    ret = services.return_open(
        actor=actor,
        order_external_id=order.external_id,
        lines=[RequestedLine(line="L2", quantity=1, reason=Reason.SIZE_FIT)],
        now=NOW,
    )

    assert (ret.status, ret.events.get().actor_kind, ret.events.get().actor_id) == (
        Status.REQUESTED,
        "buyer",
        buyer.external_id,
    )
