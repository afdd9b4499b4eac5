"""What a refund gateway does, and which one refunds a payment.

A gateway pays back one transaction: ``refund`` asks for it under an idempotency key (a retry with
the same key is the same refund, never a second one), ``status`` asks again about one the gateway
left pending. Both answer a ``GatewayResult``, never raise: a decline is a ``failed`` result with
the gateway's code and message, and a transport error (a timeout, a 5xx) is ``pending``, since the
refund may or may not have happened; the driver asks again with the same key.

The payment's ``gateway`` column picks the gateway (``gateway_for``): ``manual`` (the seller pays
out and confirms), ``fake`` (on when embedded or with ``RETURNDESK_FAKE_GATEWAY``) or ``stripe``
(with ``STRIPE_API_KEY``); any other value, or one that is off, takes ``RETURNDESK_DEFAULT_GATEWAY``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Protocol

from django.conf import settings


class GatewayStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True)
class GatewayResult:
    status: GatewayStatus
    # The gateway's own id of the refund (Stripe's ``re_…``); blank when it made none.
    gateway_reference: str = ""
    failure_code: str = ""
    failure_message: str = ""

    @classmethod
    def succeeded(cls, gateway_reference: str) -> GatewayResult:
        return cls(GatewayStatus.SUCCEEDED, gateway_reference)

    @classmethod
    def pending(cls, gateway_reference: str = "") -> GatewayResult:
        return cls(GatewayStatus.PENDING, gateway_reference)

    @classmethod
    def failed(cls, code: str, message: str, gateway_reference: str = "") -> GatewayResult:
        return cls(GatewayStatus.FAILED, gateway_reference, failure_code=code, failure_message=message)


class Gateway(Protocol):
    # The name stored on each transaction (``RefundTransaction.gateway``).
    name: ClassVar[str]
    # True when a person pays out and confirms (``manual``): a pending result then awaits their
    # ``confirm``, not the gateway, and the driver never polls it.
    confirmed_by_hand: ClassVar[bool]

    def refund(self, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> GatewayResult:
        """Pay ``amount`` back against the payment the gateway knows as ``reference``."""
        ...

    def status(self, gateway_reference: str) -> GatewayResult:
        """Where a refund this gateway answered ``pending`` (with ``gateway_reference``) stands now."""
        ...


# Gateways a test puts in place of the configured ones (``gateways_replaced``).
_replaced: dict[str, Gateway] = {}


def _gateway_on(name: str) -> Gateway | None:
    """The gateway called ``name`` when it is on, as the settings say now (``override_settings``
    applies), else None."""
    if name in _replaced:
        return _replaced[name]
    if name == "manual":
        from returndesk.refunds.gateways.manual import ManualGateway

        return ManualGateway()
    if name == "fake" and settings.RETURNDESK_FAKE_GATEWAY is not None:
        from returndesk.refunds.gateways.fake import FakeGateway

        return FakeGateway(**settings.RETURNDESK_FAKE_GATEWAY)
    if name == "stripe" and settings.STRIPE_API_KEY:
        from returndesk.refunds.gateways.stripe import stripe_gateway

        return stripe_gateway(settings.STRIPE_API_KEY)
    return None


def gateway_for(payment_gateway: str) -> Gateway:
    """The gateway that refunds a payment whose ``gateway`` column is ``payment_gateway``: that
    one when it is on, else ``RETURNDESK_DEFAULT_GATEWAY`` when that is on, else ``manual``
    (always on: a person can always pay a refund out)."""
    for name in (payment_gateway.strip().lower(), settings.RETURNDESK_DEFAULT_GATEWAY, "manual"):
        gateway = _gateway_on(name)
        if gateway is not None:
            return gateway
    raise AssertionError("unreachable: the manual gateway is always on")


@contextmanager
def gateways_replaced(gateways: Mapping[str, Gateway]) -> Iterator[None]:
    """Refund through ``gateways`` (by name) instead of the configured ones, for the block: tests
    put a recording gateway in place of the fake, or a Stripe client with a recording transport."""
    before = dict(_replaced)
    _replaced.update(gateways)
    try:
        yield
    finally:
        _replaced.clear()
        _replaced.update(before)
