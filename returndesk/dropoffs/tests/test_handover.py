"""return_handover: the verdict on the locked row, the receipt, the failure counts, the anomalies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import ForbiddenAction, RateLimited
from returndesk.core.models import RateCounter
from returndesk.dropoffs.errors import NotAcceptableAtCounter, UnknownPoint
from returndesk.dropoffs.models import DropoffPoint, Receipt
from returndesk.dropoffs.services import dropoff_point_register, return_handover
from returndesk.returns.domain.lifecycle import DueAction, Status
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent
from returndesk.testing import NOW, Keys, mistyped

from .conftest import ADDRESS

LATER = NOW + timedelta(hours=3)


def _state(ret: Return) -> tuple[object, ...]:
    ret.refresh_from_db()
    return (
        ret.status,
        ret.parcel_recorded,
        ret.tracking_number,
        ret.due_action,
        ret.events.count(),
        ret.anomalies.count(),
        ret.receipts.count(),
    )


def _hand(keys: Keys, ret: Return, name: str = "post_a", **kwargs: object) -> Receipt:
    actor: Actor = keys.actors[name]
    kwargs.setdefault("point_id", "P-1")
    kwargs.setdefault("now", LATER)
    kwargs.setdefault("code", ret.code)
    return return_handover(actor=actor, carrier=actor.carrier, **kwargs)  # type: ignore[arg-type]


def test_a_valid_code_goes_in_transit_with_its_receipt(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    receipt = _hand(carriers, ret, weight_g=480, tracking_number="RR123456785GB")

    ret.refresh_from_db()
    assert (ret.status, ret.parcel_recorded, ret.tracking_number, ret.status_since) == (
        Status.IN_TRANSIT,
        True,
        "RR123456785GB",
        LATER,
    )
    assert ret.due_action == DueAction.ESCALATE
    stored = Receipt.objects.get()
    assert (stored.receipt_id, stored.point_id, stored.carrier, stored.weight_g, stored.current, stored.offline) == (
        receipt.receipt_id,
        point.pk,
        "post",
        480,
        True,
        False,
    )
    assert (stored.at, stored.accepted_at) == (LATER, LATER)
    assert (receipt.receipt_id[:2], len(receipt.receipt_id)) == ("RC", 18)
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        "handover",
        "approved",
        "in_transit",
        carriers.actors["post_a"].id,
    )
    assert event.data == {
        "receipt_id": receipt.receipt_id,
        "carrier": "post",
        "point_id": "P-1",
        "tracking_number": "RR123456785GB",
        "weight_g": 480,
    }
    assert not ReturnAnomaly.objects.exists()


def test_a_parcel_under_half_its_weight_records_empty_box_and_still_goes(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()  # one unit of L1: 500 g

    _hand(carriers, ret, weight_g=249)

    anomaly = ReturnAnomaly.objects.get(return_request=ret)
    assert (anomaly.code, anomaly.source, anomaly.line, anomaly.at) == ("empty_box", "handover", None, LATER)
    assert anomaly.data == {"weight_g": 249, "expected_weight_g": 500}
    assert ReturnEvent.objects.filter(return_request=ret).latest("id").data["anomalies"] == [
        {"code": "empty_box", "line": None}
    ]
    assert Return.objects.get(pk=ret.pk).status == Status.IN_TRANSIT


def test_half_the_weight_is_no_empty_box(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return], settings: object
) -> None:
    ret = make_approved()

    _hand(carriers, ret, weight_g=250)

    assert not ReturnAnomaly.objects.exists()


def test_a_second_handover_is_used_and_changes_nothing(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    _hand(carriers, ret)
    before = _state(ret)

    with pytest.raises(NotAcceptableAtCounter) as refused:
        _hand(carriers, ret, name="post_a2")

    assert refused.value.extra == {
        "result": "used",
        "reason": None,
        "message": "This code has already been used for a parcel.",
        "suggestions": [],
        "suggestions_display": [],
    }
    assert _state(ret) == before
    assert not RateCounter.objects.exists()


@pytest.mark.parametrize("point_id", ["P-2", "P-OFF"])
def test_a_point_not_registered_or_inactive_is_unknown_point(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return], point_id: str
) -> None:
    dropoff_point_register(
        actor=carriers.actors["post_a"], point_id="P-OFF", name="Shut", address=ADDRESS, active=False
    )
    ret = make_approved()
    before = _state(ret)

    with pytest.raises(UnknownPoint):
        _hand(carriers, ret, point_id=point_id)

    assert _state(ret) == before


def test_another_carriers_point_is_unknown(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    with pytest.raises(UnknownPoint):
        _hand(carriers, make_approved(), name="post_b")


def test_an_unknown_code_counts_a_failure_for_the_key_and_the_point(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    actor = carriers.actors["post_a"]

    with pytest.raises(NotAcceptableAtCounter) as refused:
        return_handover(actor=actor, code="K7Q2XM4D9T306", carrier="post", point_id="P-1", now=LATER)

    assert refused.value.verdict.result == "unknown"
    assert sorted(RateCounter.objects.values_list("bucket", "count")) == [
        (f"verify:key:{actor.id}", 1),
        ("verify:point:post:P-1", 1),
    ]


def test_a_typo_answers_the_verifiers_suggestions(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    typo = mistyped(ret.code)

    with pytest.raises(NotAcceptableAtCounter) as refused:
        return_handover(actor=carriers.actors["post_a"], code=typo, carrier="post", point_id="P-1", now=LATER)

    assert (refused.value.extra["result"], refused.value.extra["suggestions"]) == ("typo", [ret.code])
    assert RateCounter.objects.filter(bucket="verify:point:post:P-1").get().count == 1


def test_past_the_limit_a_valid_code_is_rate_limited(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return], settings: object
) -> None:
    settings.RETURNDESK = {**settings.RETURNDESK, "VERIFY_FAILURES_PER_MINUTE": 2}  # type: ignore[attr-defined]
    ret = make_approved()
    for _ in range(2):
        with pytest.raises(NotAcceptableAtCounter):
            _hand(carriers, ret, name="post_a2", code="not a code")  # another key, the same point
    before = _state(ret)

    with pytest.raises(RateLimited):
        _hand(carriers, ret)

    assert _state(ret) == before


def test_a_tracking_event_counts_no_failure(carriers: Keys, make_approved: Callable[..., Return]) -> None:
    with pytest.raises(NotAcceptableAtCounter):
        return_handover(
            actor=carriers.actors["post_a"], code="K7Q2XM4D9T306", carrier="post", point_id=None, count_failures=False
        )

    assert not RateCounter.objects.exists()


def test_after_ship_by_the_code_is_expired(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    assert ret.ship_by is not None
    before = _state(ret)

    with pytest.raises(NotAcceptableAtCounter) as refused:
        _hand(carriers, ret, now=ret.ship_by + timedelta(seconds=1))

    assert refused.value.extra["result"] == "expired"
    assert _state(ret) == before


def test_accepted_before_ship_by_is_honoured_after_it(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    assert ret.ship_by is not None

    receipt = _hand(carriers, ret, now=ret.ship_by + timedelta(hours=5), accepted_at=ret.ship_by, offline=True)

    assert (receipt.accepted_at, receipt.at, receipt.offline) == (ret.ship_by, ret.ship_by + timedelta(hours=5), True)
    assert Return.objects.get(pk=ret.pk).status == Status.IN_TRANSIT


def test_an_offline_handover_refused_records_offline_mismatch_that_outlasts_the_refusal(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    assert ret.ship_by is not None
    late = ret.ship_by + timedelta(minutes=1)

    with pytest.raises(NotAcceptableAtCounter) as refused:
        _hand(carriers, ret, now=late + timedelta(hours=1), accepted_at=late, offline=True)

    assert refused.value.extra["result"] == "expired"
    assert len(refused.value.lasting_effects) == 1
    anomaly = ReturnAnomaly.objects.get(return_request=ret)
    assert (anomaly.code, anomaly.source) == ("offline_mismatch", "handover")
    assert anomaly.data == {"result": "expired", "accepted_at": late.isoformat()}
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert (event.action, event.from_status, event.to_status, event.data["result"]) == (
        "anomaly",
        "approved",
        "approved",
        "expired",
    )
    assert Return.objects.get(pk=ret.pk).status == Status.APPROVED


def test_the_platform_hands_over_for_the_buyer_without_a_point(
    carriers: Keys, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    receipt = return_handover(
        actor=carriers.actors["platform"],
        code=ret.code,
        carrier="dhl",
        point_id=None,
        tracking_number="RR123456785GB",
        now=LATER,
    )

    assert (receipt.point, receipt.carrier) == (None, "dhl")
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert (event.actor_kind, event.on_behalf_of) == ("platform", ret.buyer.external_id)


@pytest.mark.parametrize("name", ["seller_a", "agent"])
def test_only_carriers_and_the_platform_hand_over(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return], name: str
) -> None:
    with pytest.raises(ForbiddenAction):
        return_handover(actor=carriers.actors[name], code=make_approved().code, carrier="post", point_id="P-1")


def test_a_buyer_may_not_hand_over(point: DropoffPoint, make_approved: Callable[..., Return]) -> None:
    ret = make_approved()
    buyer = Actor(kind=ActorKind.BUYER, id=ret.buyer.external_id, buyer_id=ret.buyer_id)

    with pytest.raises(ForbiddenAction):
        return_handover(actor=buyer, code=ret.code, carrier="post", point_id="P-1")
