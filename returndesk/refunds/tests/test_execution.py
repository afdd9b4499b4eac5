"""Running refund transactions: after the commit, with key ``refund-<id>-<attempt>``; a result
recorded only for the attempt still pending; retry, release, confirm, cancel; the driver's re-runs,
polls and manual timeouts; the events, ``settle``, and the return's ledger columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import Forbidden, ForbiddenAction
from returndesk.marketplace.models import Order, Payment, Seller
from returndesk.policies.domain.policy import ReturnPolicy, policy_to_json
from returndesk.policies.models import PolicyVersion
from returndesk.refunds import execution, transactions
from returndesk.refunds.errors import (
    RefundNotCancellable,
    RefundNotConfirmable,
    RefundNotHeld,
    RefundNotRetryable,
    TransactionNotFound,
)
from returndesk.refunds.gateways.base import GatewayResult, gateways_replaced
from returndesk.refunds.gateways.stripe import StripeGateway
from returndesk.refunds.models import Refund, RefundTransaction
from returndesk.refunds.services import refund_create
from returndesk.returns.domain.lifecycle import DueAction, Status
from returndesk.returns.errors import ReasonRequired
from returndesk.returns.models import Return
from returndesk.returns.selectors import ReturnFilters, returns_matching
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.testing import NOW, Keys, frozen_clock
from returndesk.testing.gateways import RecordingGateway, RecordingHttpClient

AT = NOW + timedelta(days=1)
FAKE_ON = {"fail_rate": 0.0, "delay_seconds": 0.0}
AGENT = Actor(kind=ActorKind.AGENT, id="test-agent")
PLATFORM = Actor(kind=ActorKind.PLATFORM, id="test-platform")


@pytest.fixture(autouse=True)
def _fake_recorded() -> Iterator[RecordingGateway]:
    recording = RecordingGateway()
    with override_settings(RETURNDESK_FAKE_GATEWAY=FAKE_ON), gateways_replaced({"fake": recording}):
        yield recording


@pytest.fixture
def gateway(_fake_recorded: RecordingGateway) -> RecordingGateway:
    return _fake_recorded


def seller_of(ret: Return, staff_role: StaffRole | None = None) -> Actor:
    kind = ActorKind.SELLER_USER if staff_role else ActorKind.SELLER_KEY
    return Actor(kind=kind, id="test-seller", seller_id=ret.seller_id, staff_role=staff_role)


@pytest.fixture
def refunded(
    make_order: Callable[..., Order], keys: Keys, django_capture_on_commit_callbacks: Any
) -> Callable[..., tuple[Return, Refund]]:
    """``refunded(gateway="fake", reference="pay-1", run=True)``: an inspected return of one lamp
    refunded by default at AT through a payment of that gateway and reference; ``run`` False
    leaves the after-commit attempt unrun (a crash after the commit)."""

    def make(*, gateway: str = "fake", reference: str = "pay-1", run: bool = True) -> tuple[Return, Refund]:
        payment = {"method": "card", "gateway": gateway, "reference": reference, "amount": "65.00"}
        ret = return_to(return_opened(order=make_order(payments=[payment])), Status.INSPECTED)
        with frozen_clock(AT), django_capture_on_commit_callbacks(execute=run):
            refund = refund_create(
                actor=seller_of(ret),
                code=ret.code,
                kind="refund",
                lines=None,
                shipping_amount=None,
                note="",
                request_key="k-1",
            )
        ret.refresh_from_db()
        return ret, refund

    return make


def drive(at: datetime) -> execution.DriveReport:
    with frozen_clock(at):
        return execution.refunds_drive()


def _rows(refund: Refund) -> list[RefundTransaction]:
    return list(RefundTransaction.objects.filter(refund=refund).order_by("pk"))


def _events(ret: Return) -> list[str]:
    return [event.action for event in ret.events.order_by("at", "pk")]


def test_a_fake_refund_succeeds_after_the_commit_and_settles_the_return(refunded, gateway) -> None:
    ret, refund = refunded()
    (row,) = _rows(refund)
    assert (row.status, row.attempts, row.awaiting, row.succeeded_at) == ("succeeded", 1, "", AT)
    assert row.gateway_reference == f"fake_refund-{row.pk}-1"
    assert gateway.keys == [f"refund-{row.pk}-1"]
    assert (ret.status, ret.settled) == (Status.RESOLVED, True)
    assert _events(ret)[-3:] == ["refund", "refund_succeeded", "settle"]
    # Card, 3-20 business days from Wednesday 11 March in Spain (Good Friday is its one national
    # holiday on the way): the money is due by the end of Thursday 9 April, Madrid time.
    assert ret.money_due_at == datetime.fromisoformat("2026-04-10T00:00:00+02:00")
    # Resolved, it closes once the buyer may no longer escalate: 15 days after the money is due,
    # later than 15 days after the resolution.
    assert (ret.due_action, ret.due_at) == (DueAction.CLOSE, ret.money_due_at + timedelta(days=15))


def test_fail_once_fails_then_a_retry_succeeds_with_the_next_key(refunded, gateway, django_capture_on_commit_callbacks):
    ret, refund = refunded(reference="pay-1#fail-once")
    (row,) = _rows(refund)
    assert (row.status, row.failure_code, row.attempts) == ("failed", "declined", 1)
    assert (ret.status, ret.settled) == (Status.REFUNDING, False)
    # A failed transaction needs someone after ``refund_attention`` (3 days).
    assert (ret.attention_at, ret.due_action) == (AT + timedelta(days=3), DueAction.SUPERVISE)
    assert _events(ret)[-1] == "refund_failed"
    with frozen_clock(AT + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        answer = transactions.refund_retry(actor=seller_of(ret), refund_id=refund.pk)
    # The answer is the state committed: pending, its next attempt.
    assert [(t.status, t.attempts) for t in answer.transactions.all()] == [("pending", 2)]
    (row,) = _rows(refund)
    assert (row.status, row.attempts, row.failure_code) == ("succeeded", 2, "")
    assert gateway.keys == [f"refund-{row.pk}-1", f"refund-{row.pk}-2"]
    ret.refresh_from_db()
    assert ret.status == Status.RESOLVED
    assert _events(ret)[-3:] == ["refund_failed", "refund_succeeded", "settle"]
    with pytest.raises(RefundNotRetryable):
        transactions.refund_retry(actor=seller_of(ret), refund_id=refund.pk)


def test_a_crash_after_the_commit_is_run_again_once_with_the_same_key(refunded, gateway) -> None:
    _ret, refund = refunded(run=False)
    (row,) = _rows(refund)
    assert (row.status, row.awaiting, gateway.calls) == ("pending", "", [])
    # Within two minutes the attempt may still be running: left alone.
    assert drive(AT + timedelta(seconds=119)).rerun == 0
    report = drive(AT + timedelta(minutes=2))
    assert (report.rerun, report.errors) == (1, 0)
    assert drive(AT + timedelta(minutes=5)).rerun == 0
    assert gateway.keys == [f"refund-{row.pk}-1"]
    (row,) = _rows(refund)
    assert row.status == "succeeded"


def test_an_answer_lost_after_the_gateway_refunded_is_asked_again_with_its_key(refunded, gateway) -> None:
    _ret, refund = refunded(run=False)
    (row,) = _rows(refund)
    # The worker numbered the attempt and called the gateway, then died before recording.
    RefundTransaction.objects.filter(pk=row.pk).update(attempts=1, attempted_at=AT)
    gateway.refund("pay-1", row.amount, "EUR", f"refund-{row.pk}-1")
    drive(AT + timedelta(minutes=3))
    # Two calls with one key, one refund made: the gateway replayed its answer.
    assert gateway.keys == [f"refund-{row.pk}-1"] * 2
    assert list(gateway.answers) == [f"refund-{row.pk}-1"]
    assert _rows(refund)[0].status == "succeeded"


def test_a_late_answer_to_an_earlier_attempt_changes_nothing(refunded) -> None:
    _ret, refund = refunded(reference="pay-1#fail-always")
    (row,) = _rows(refund)
    result = GatewayResult.succeeded("late")
    assert not execution.result_record(transaction_id=row.pk, attempt=2, result=result)
    assert not execution.result_record(transaction_id=row.pk, attempt=1, result=result)
    assert _rows(refund)[0].status == "failed"


def test_a_delayed_refund_is_polled_until_it_succeeds(refunded, gateway) -> None:
    ret, refund = refunded(reference="pay-1#delay-600")
    (row,) = _rows(refund)
    assert (row.status, row.awaiting) == ("pending", "gateway")
    assert ret.status == Status.REFUNDING
    assert drive(AT + timedelta(minutes=5)).polled == 1
    assert _rows(refund)[0].status == "pending"
    assert drive(AT + timedelta(minutes=10)).polled == 1
    (row,) = _rows(refund)
    assert (row.status, row.succeeded_at) == ("succeeded", AT + timedelta(minutes=10))
    ret.refresh_from_db()
    assert ret.status == Status.RESOLVED


def test_a_manual_refund_waits_for_its_seller_to_confirm(refunded, gateway) -> None:
    ret, refund = refunded(gateway="manual")
    (row,) = _rows(refund)
    assert (row.gateway, row.status, row.awaiting) == ("manual", "pending", "confirmation")
    assert gateway.calls == []
    assert Return.objects.filter(pk__in=_queue("awaiting_confirmation")).get() == ret
    with pytest.raises(ForbiddenAction):
        transactions.refund_confirm(actor=seller_of(ret, StaffRole.SELLER_WAREHOUSE), refund_id=refund.pk)
    with pytest.raises(ForbiddenAction):
        transactions.refund_confirm(actor=PLATFORM, refund_id=refund.pk)
    with frozen_clock(AT + timedelta(days=1)):
        answer = transactions.refund_confirm(
            actor=seller_of(ret), refund_id=refund.pk, reference="SEPA-77", note="Paid by transfer"
        )
    (row,) = answer.transactions.all()
    assert (row.status, row.gateway_reference, row.succeeded_at) == ("succeeded", "SEPA-77", AT + timedelta(days=1))
    ret.refresh_from_db()
    assert ret.status == Status.RESOLVED
    confirmed = ret.events.get(action="refund_confirmed")
    assert (confirmed.reason, confirmed.data["reference"], confirmed.actor_kind) == (
        "Paid by transfer",
        "SEPA-77",
        "seller_key",
    )
    with pytest.raises(RefundNotConfirmable):
        transactions.refund_confirm(actor=seller_of(ret), refund_id=refund.pk)


def test_an_unconfirmed_manual_refund_times_out_and_an_agent_confirms_it_paid(refunded) -> None:
    ret, refund = refunded(gateway="manual")
    # ``clock_days.manual_refund_confirm``: 3 days from the attempt.
    assert drive(AT + timedelta(days=3) - timedelta(seconds=1)).timed_out == 0
    assert drive(AT + timedelta(days=3)).timed_out == 1
    (row,) = _rows(refund)
    assert (row.status, row.failure_code) == ("failed", "confirmation_timeout")
    ret.refresh_from_db()
    assert (_events(ret)[-1], ret.attention_at) == ("refund_failed", AT + timedelta(days=6))
    # The seller's confirm is for manual refunds still pending; an agent's may close a failed one.
    with pytest.raises(RefundNotConfirmable):
        transactions.refund_confirm(actor=seller_of(ret), refund_id=refund.pk)
    with pytest.raises(TransactionNotFound):
        transactions.refund_confirm(actor=AGENT, refund_id=refund.pk, transaction_id=row.pk + 1000)
    transactions.refund_confirm(actor=AGENT, refund_id=refund.pk, transaction_id=row.pk)
    ret.refresh_from_db()
    assert (ret.status, _events(ret)[-2:]) == (Status.RESOLVED, ["refund_confirmed", "settle"])


def _hold_above(amount: str) -> None:
    PolicyVersion.objects.create(
        seller=Seller.objects.get(external_id="S-A"),
        document=policy_to_json(ReturnPolicy(hold_refunds_above={"EUR": Decimal(amount)})),
        effective_at=NOW - timedelta(days=30),
        actor_kind="platform",
    )


def test_a_held_refund_waits_for_an_agent_to_release_it(refunded, gateway, django_capture_on_commit_callbacks):
    _hold_above("5.00")
    ret, refund = refunded()
    (row,) = _rows(refund)
    assert (row.status, row.attempts, gateway.calls) == ("held", 0, [])
    assert ret.attention_at == AT + timedelta(days=3)
    assert list(_queue("held")) == [ret.pk]
    assert _events(ret)[-2:] == ["refund", "refund_held"]
    with pytest.raises(Forbidden):
        transactions.refund_release(actor=seller_of(ret), refund_id=refund.pk)
    with frozen_clock(AT + timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        transactions.refund_release(actor=AGENT, refund_id=refund.pk, note="Checked with the seller")
    (row,) = _rows(refund)
    assert (row.status, row.attempts) == ("succeeded", 1)
    assert gateway.keys == [f"refund-{row.pk}-1"]
    ret.refresh_from_db()
    assert _events(ret)[-3:] == ["refund_released", "refund_succeeded", "settle"]
    with pytest.raises(RefundNotHeld):
        transactions.refund_release(actor=AGENT, refund_id=refund.pk)


def test_cancelling_frees_the_caps_and_leaves_the_return_to_supervise(refunded) -> None:
    ret, refund = refunded(reference="pay-1#fail-always")
    (row,) = _rows(refund)
    order = Order.objects.get(pk=ret.order_id)
    assert order.refunded == row.amount
    with pytest.raises(ReasonRequired):
        transactions.refund_cancel(actor=AGENT, refund_id=refund.pk, reason="  ")
    with pytest.raises(Forbidden):
        transactions.refund_cancel(actor=seller_of(ret), refund_id=refund.pk, reason="x")
    cancelled_at = AT + timedelta(hours=5)
    with frozen_clock(cancelled_at):
        answer = transactions.refund_cancel(actor=AGENT, refund_id=refund.pk, reason="The card is closed")
    assert [t.status for t in answer.transactions.all()] == ["cancelled"]
    order.refresh_from_db()
    ret.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert (order.refunded, order.shipping_refunded, payment.refunded, ret.refunded) == (0, 0, 0, 0)
    assert all(line.refunded == 0 for line in ret.lines.all())
    # Still refunding, due for supervising at the cancel; the queue's ``none_live``.
    assert (ret.status, ret.attention_at, ret.due_at) == (Status.REFUNDING, cancelled_at, cancelled_at)
    assert list(_queue("none_live")) == [ret.pk]
    assert ret.events.get(action="refund_cancelled").reason == "The card is closed"
    with pytest.raises(RefundNotCancellable):
        transactions.refund_cancel(actor=AGENT, refund_id=refund.pk, reason="again")


def _queue(status: str) -> Any:
    return returns_matching(actor=AGENT, filters=ReturnFilters(refund_status=status)).values_list("pk", flat=True)


def test_a_stripe_refund_sends_the_transactions_key_and_exact_units(refunded) -> None:
    transport = RecordingHttpClient([(200, {"id": "re_9", "object": "refund", "status": "succeeded"})])
    stripe_gateway = StripeGateway(api_key="sk_test_x", http_client=transport)
    with override_settings(STRIPE_API_KEY="sk_test_x"), gateways_replaced({"stripe": stripe_gateway}):
        ret, refund = refunded(gateway="stripe", reference="pi_42")
    (row,) = _rows(refund)
    assert (row.gateway, row.status, row.gateway_reference) == ("stripe", "succeeded", "re_9")
    (request,) = transport.requests
    assert request["headers"]["Idempotency-Key"] == f"refund-{row.pk}-1"
    assert request["body"] == f"payment_intent=pi_42&amount={int(row.amount * 100)}"
    assert ret.status == Status.RESOLVED
