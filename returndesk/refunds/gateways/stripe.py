"""Refunds through Stripe, with the official ``stripe`` library's ``StripeClient``.

A payment's ``reference`` names what Stripe charged: ``pi_…`` a PaymentIntent, ``ch_…`` a Charge.
The refund is created with the transaction's idempotency key as Stripe's ``Idempotency-Key``, so a
repeat after a lost answer is the same refund. Amounts go in Stripe's units: none of the minor
unit for its zero-decimal currencies, thousandths (ending in 0, Stripe's rule) for three-decimal
ones, else hundredths; an amount those units cannot hold exactly is refused
(``amount_not_representable``), never rounded. A refund Stripe leaves pending is polled
(``status``) by ``refunds_drive``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

import stripe
from stripe.params import RefundCreateParams

from returndesk.core import money
from returndesk.refunds.gateways.base import GatewayResult

# https://docs.stripe.com/currencies#zero-decimal: amounts are whole units.
ZERO_DECIMAL: frozenset[str] = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
NOT_REPRESENTABLE = "amount_not_representable"
# Stripe answers these statuses when a retry with the same key may well succeed: the refund is
# then neither made nor refused, and stays pending for the driver.
_TRY_AGAIN_STATUSES = frozenset({409, 429})


def stripe_units(amount: Decimal, currency: str) -> int | None:
    """``amount`` in the integer units Stripe's API takes for ``currency``, None when those units
    cannot hold it exactly (JPY 0.5; MGA 12.50, which Stripe takes in whole ariary; KWD 1.005,
    since Stripe takes three-decimal amounts only in multiples of ten)."""
    code = currency.upper()
    places = 0 if code in ZERO_DECIMAL else 3 if money.is_currency(code) and money.exponent(code) == 3 else 2
    units = amount.scaleb(places)
    if units != units.to_integral_value():
        return None
    if places == 3 and int(units) % 10:
        return None
    return int(units)


def _result(refund: Any) -> GatewayResult:
    """A Stripe Refund object as a result: ``succeeded``, ``failed`` or ``canceled`` say it all;
    ``pending`` and ``requires_action`` wait."""
    status, refund_id = refund.status, refund.id
    if status == "succeeded":
        return GatewayResult.succeeded(refund_id)
    if status in ("failed", "canceled"):
        reason = getattr(refund, "failure_reason", None) or f"refund_{status}"
        return GatewayResult.failed(reason, f"Stripe's refund {refund_id} {status} ({reason}).", refund_id)
    return GatewayResult.pending(refund_id)


def _error(error: stripe.StripeError, gateway_reference: str = "") -> GatewayResult:
    """A refusal is the result ``failed`` with Stripe's code and message; a transport failure or a
    server error leaves the refund unknown: ``pending``, to be asked again with the same key."""
    status = error.http_status
    if isinstance(error, stripe.APIConnectionError) or status is None or status >= 500 or status in _TRY_AGAIN_STATUSES:
        return GatewayResult.pending(gateway_reference)
    code = error.code or type(error).__name__
    return GatewayResult.failed(code, error.user_message or str(error), gateway_reference)


class StripeGateway:
    name: ClassVar[str] = "stripe"
    confirmed_by_hand: ClassVar[bool] = False

    def __init__(self, *, api_key: str, http_client: stripe.HTTPClient | None = None) -> None:
        # No retries inside the call: a refund left unknown is pending, and the driver asks again
        # with the same key a minute later rather than holding a request's thread.
        self.client = stripe.StripeClient(api_key, http_client=http_client, max_network_retries=0)

    def refund(self, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> GatewayResult:
        units = stripe_units(amount, currency)
        if units is None:
            return GatewayResult.failed(
                NOT_REPRESENTABLE, f"Stripe cannot refund exactly {amount} {currency}: its units for it are coarser."
            )
        params: RefundCreateParams
        if reference.startswith("pi_"):
            params = {"payment_intent": reference, "amount": units}
        elif reference.startswith("ch_"):
            params = {"charge": reference, "amount": units}
        else:
            return GatewayResult.failed(
                "unknown_payment", f"{reference!r} names no Stripe payment: a PaymentIntent (pi_…) or a charge (ch_…)."
            )
        try:
            refund = self.client.v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            return _error(error)
        return _result(refund)

    def status(self, gateway_reference: str) -> GatewayResult:
        try:
            refund = self.client.v1.refunds.retrieve(gateway_reference)
        except stripe.StripeError as error:
            return _error(error, gateway_reference)
        return _result(refund)


@lru_cache(maxsize=4)
def stripe_gateway(api_key: str) -> StripeGateway:
    """One client per key for the process: it keeps its HTTP connections."""
    return StripeGateway(api_key=api_key)
