"""The refund gateways: which one a payment's ``gateway`` picks, the stateless fake, the manual
one, and Stripe through its official client with a recording transport (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import override_settings

from returndesk.refunds.gateways.base import GatewayResult, GatewayStatus, gateway_for, gateways_replaced
from returndesk.refunds.gateways.fake import FakeGateway
from returndesk.refunds.gateways.manual import ManualGateway
from returndesk.refunds.gateways.stripe import StripeGateway, stripe_units
from returndesk.testing import frozen_clock
from returndesk.testing.gateways import RecordingGateway, RecordingHttpClient

AT = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
FAKE_ON = {"fail_rate": 0.0, "delay_seconds": 0.0}


# --- Which gateway ----------------------------------------------------------------------------


@override_settings(RETURNDESK_FAKE_GATEWAY=FAKE_ON, STRIPE_API_KEY="sk_test_x", RETURNDESK_DEFAULT_GATEWAY="manual")
def test_the_payments_gateway_picks_one_that_is_on() -> None:
    assert gateway_for("manual").name == "manual"
    assert gateway_for("fake").name == "fake"
    assert gateway_for(" Stripe ").name == "stripe"
    assert gateway_for("adyen").name == "manual"
    assert gateway_for("").name == "manual"


@override_settings(RETURNDESK_FAKE_GATEWAY=None, STRIPE_API_KEY="", RETURNDESK_DEFAULT_GATEWAY="stripe")
def test_gateways_that_are_off_take_the_default_else_manual() -> None:
    assert gateway_for("fake").name == "manual"
    assert gateway_for("stripe").name == "manual"
    with override_settings(RETURNDESK_FAKE_GATEWAY=FAKE_ON, RETURNDESK_DEFAULT_GATEWAY="fake"):
        assert gateway_for("stripe").name == "fake"
        assert gateway_for("paypal").name == "fake"


def test_a_replaced_gateway_is_used_for_its_name_within_the_block() -> None:
    recording = RecordingGateway()
    with override_settings(RETURNDESK_FAKE_GATEWAY=FAKE_ON), gateways_replaced({"fake": recording}):
        assert gateway_for("fake") is recording
    with override_settings(RETURNDESK_FAKE_GATEWAY=FAKE_ON):
        assert isinstance(gateway_for("fake"), FakeGateway)


def test_the_manual_gateway_calls_nobody_and_waits() -> None:
    manual = ManualGateway()
    assert manual.confirmed_by_hand
    assert manual.refund("ref", Decimal("10.00"), "EUR", "refund-1-1") == GatewayResult(GatewayStatus.PENDING)
    assert manual.status("").status is GatewayStatus.PENDING


# --- The fake ---------------------------------------------------------------------------------


def test_the_fake_refunds_at_once_and_says_so_again() -> None:
    fake = FakeGateway()
    first = fake.refund("pay-1", Decimal("10.00"), "EUR", "refund-7-1")
    assert first == GatewayResult.succeeded("fake_refund-7-1")
    assert fake.refund("pay-1", Decimal("10.00"), "EUR", "refund-7-1") == first
    assert fake.status(first.gateway_reference) == first


def test_fail_once_declines_the_first_attempt_only() -> None:
    fake = FakeGateway()
    first = fake.refund("pay-1#fail-once", Decimal("10.00"), "EUR", "refund-7-1")
    assert (first.status, first.failure_code) == (GatewayStatus.FAILED, "declined")
    assert fake.refund("pay-1#fail-once", Decimal("10.00"), "EUR", "refund-7-2").status is GatewayStatus.SUCCEEDED


def test_fail_always_declines_every_attempt() -> None:
    fake = FakeGateway()
    for attempt in (1, 2, 3):
        result = fake.refund("pay-1#fail-always", Decimal("1"), "JPY", f"refund-7-{attempt}")
        assert (result.status, result.failure_code) == (GatewayStatus.FAILED, "declined")


def test_a_delay_is_pending_until_it_has_passed() -> None:
    fake = FakeGateway()
    with frozen_clock(AT):
        pending = fake.refund("pay-1#delay-90", Decimal("10.00"), "EUR", "refund-7-1")
        assert pending.status is GatewayStatus.PENDING
        assert pending.gateway_reference == "fake_refund-7-1@2026-03-20T12:01:30+00:00"
    with frozen_clock(AT + timedelta(seconds=89)):
        assert fake.status(pending.gateway_reference).status is GatewayStatus.PENDING
    with frozen_clock(AT + timedelta(seconds=90)):
        assert fake.status(pending.gateway_reference) == GatewayResult.succeeded(pending.gateway_reference)


def test_the_demo_settings_delay_every_refund_and_decline_a_share_drawn_from_the_key() -> None:
    with frozen_clock(AT):
        delayed = FakeGateway(delay_seconds=30).refund("p", Decimal(1), "EUR", "refund-1-1")
        assert delayed.status is GatewayStatus.PENDING
    always, never = FakeGateway(fail_rate=1.0), FakeGateway(fail_rate=0.0)
    keys = [f"refund-{n}-1" for n in range(200)]
    assert all(always.refund("p", Decimal(1), "EUR", key).status is GatewayStatus.FAILED for key in keys)
    assert all(never.refund("p", Decimal(1), "EUR", key).status is GatewayStatus.SUCCEEDED for key in keys)
    half = FakeGateway(fail_rate=0.5)
    declined = [key for key in keys if half.refund("p", Decimal(1), "EUR", key).status is GatewayStatus.FAILED]
    assert 60 < len(declined) < 140
    assert declined == [key for key in keys if half.refund("p", Decimal(1), "EUR", key).status is GatewayStatus.FAILED]


def test_the_recording_gateway_replays_a_key() -> None:
    recording = RecordingGateway()
    first = recording.refund("pay-1#fail-once", Decimal("5.00"), "EUR", "refund-3-1")
    assert recording.refund("pay-1#fail-once", Decimal("5.00"), "EUR", "refund-3-1") == first
    assert recording.keys == ["refund-3-1", "refund-3-1"]
    assert list(recording.answers) == ["refund-3-1"]


# --- Stripe -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("12.34", "EUR", 1234),
        ("500", "JPY", 500),
        ("1.010", "KWD", 1010),
        ("1.005", "KWD", None),  # Stripe takes three-decimal amounts in multiples of ten
        ("12.50", "MGA", None),  # whole ariary only at Stripe
        ("12", "MGA", 12),
        ("500", "ISK", 50000),  # not on Stripe's zero-decimal list: hundredths
        ("0.0001", "CLF", None),
    ],
)
def test_stripe_units_are_exact_or_refused(amount: str, currency: str, units: int | None) -> None:
    assert stripe_units(Decimal(amount), currency) == units


def _refund(status: str, **extra: Any) -> dict[str, Any]:
    return {"id": "re_1", "object": "refund", "status": status, "amount": 1234, "currency": "eur", **extra}


def _stripe(*answers: tuple[int, dict[str, Any]]) -> tuple[StripeGateway, RecordingHttpClient]:
    transport = RecordingHttpClient(list(answers))
    return StripeGateway(api_key="sk_test_x", http_client=transport), transport


def test_stripe_refunds_a_payment_intent_with_a_form_body_and_the_key() -> None:
    gateway, transport = _stripe((200, _refund("succeeded")))
    result = gateway.refund("pi_123", Decimal("12.34"), "EUR", "refund-9-1")
    assert result == GatewayResult.succeeded("re_1")
    (request,) = transport.requests
    assert (request["method"], request["url"]) == ("post", "https://api.stripe.com/v1/refunds")
    assert dict(parse_qsl(request["body"])) == {"payment_intent": "pi_123", "amount": "1234"}
    assert request["headers"]["Idempotency-Key"] == "refund-9-1"
    assert request["headers"]["Authorization"] == "Bearer sk_test_x"


def test_stripe_refunds_a_charge_and_a_kwd_amount_in_thousandths() -> None:
    gateway, transport = _stripe((200, _refund("pending")))
    assert gateway.refund("ch_9", Decimal("1.250"), "KWD", "refund-9-2") == GatewayResult.pending("re_1")
    assert dict(parse_qsl(transport.requests[0]["body"])) == {"charge": "ch_9", "amount": "1250"}


def test_stripe_is_not_asked_for_an_amount_it_cannot_hold_nor_a_reference_it_does_not_know() -> None:
    gateway, transport = _stripe()
    result = gateway.refund("pi_123", Decimal("1.005"), "KWD", "refund-9-1")
    assert (result.status, result.failure_code) == (GatewayStatus.FAILED, "amount_not_representable")
    result = gateway.refund("order-55", Decimal("1.00"), "EUR", "refund-9-1")
    assert (result.status, result.failure_code) == (GatewayStatus.FAILED, "unknown_payment")
    assert transport.requests == []


def test_a_stripe_refusal_is_a_failure_and_a_server_error_pending() -> None:
    refusal = {"error": {"type": "invalid_request_error", "code": "charge_already_refunded", "message": "Refunded."}}
    gateway, _ = _stripe((400, refusal), (500, {"error": {"type": "api_error", "message": "Oops."}}))
    result = gateway.refund("pi_123", Decimal("12.34"), "EUR", "refund-9-1")
    assert (result.status, result.failure_code, result.failure_message) == (
        GatewayStatus.FAILED,
        "charge_already_refunded",
        "Refunded.",
    )
    assert gateway.refund("pi_123", Decimal("12.34"), "EUR", "refund-9-2") == GatewayResult.pending()


def test_a_pending_stripe_refund_is_polled_until_it_ends() -> None:
    failed = _refund("failed", failure_reason="expired_or_canceled_card")
    gateway, transport = _stripe((200, _refund("pending")), (200, failed))
    assert gateway.status("re_1") == GatewayResult.pending("re_1")
    result = gateway.status("re_1")
    assert (result.status, result.failure_code, result.gateway_reference) == (
        GatewayStatus.FAILED,
        "expired_or_canceled_card",
        "re_1",
    )
    assert [(r["method"], r["url"]) for r in transport.requests] == [
        ("get", "https://api.stripe.com/v1/refunds/re_1"),
        ("get", "https://api.stripe.com/v1/refunds/re_1"),
    ]


# --- Settings ---------------------------------------------------------------------------------


def test_the_refund_settings_read_their_json_and_refuse_nonsense() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from returndesk import settings as configured

    assert configured._refund_days({"card": [1, 2]})["card"] == (1, 2)
    assert configured._refund_days(None)["bank_transfer"] == (5, 10)
    # A key left out is 0: the bench's {"fail_rate": 0} alone is fine.
    assert configured._fake_gateway({"fail_rate": 0}) == {"fail_rate": 0.0, "delay_seconds": 0.0}
    for days in ([3, 20], {"card": [20, 3]}, {"card": [1]}, {"card": [True, 2]}):
        with pytest.raises(ImproperlyConfigured):
            configured._refund_days(days)
    for fake in ({"fail_rate": 2}, {"delay_seconds": -1}, {"rate": 0.1}, [0.1]):
        with pytest.raises(ImproperlyConfigured):
            configured._fake_gateway(fake)
