"""The fake gateway: refunds that behave like a real gateway's, with no money and no network.

Stateless: what happens follows from the payment's reference, the idempotency key
(``refund-<transaction id>-<attempt>``, so the attempt is known) and the clock, so a replayed key
gets the same answer from any process. A reference ending

- ``#fail-once`` is declined on attempt 1 and refunded on the next;
- ``#fail-always`` is declined on every attempt;
- ``#delay-<seconds>`` stays pending, and ``status`` answers succeeded once the delay has passed
  (the due time rides in the ``gateway_reference``);

and any other is refunded at once. ``RETURNDESK_FAKE_GATEWAY`` (the demo's) adds ``fail_rate``, the
share of attempts declined (drawn from the key, so a replay draws the same), and ``delay_seconds``,
a delay for every refund.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from returndesk.core import clock
from returndesk.refunds.gateways.base import GatewayResult

FAIL_ONCE = "#fail-once"
FAIL_ALWAYS = "#fail-always"
_DELAY = re.compile(r"#delay-(\d{1,7})$")
_ATTEMPT = re.compile(r"-(\d+)$")
# ``fake_<key>`` for a refund made at once; ``fake_<key>@<due time>`` for a delayed one.
_PREFIX = "fake_"
DECLINED = "declined"


def _attempt(idempotency_key: str) -> int:
    match = _ATTEMPT.search(idempotency_key)
    return int(match.group(1)) if match else 1


def _share(idempotency_key: str) -> float:
    """A number in [0, 1) drawn from the key: the same key draws the same."""
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FakeGateway:
    name: ClassVar[str] = "fake"
    confirmed_by_hand: ClassVar[bool] = False

    def __init__(self, *, fail_rate: float = 0.0, delay_seconds: float = 0.0) -> None:
        self.fail_rate = fail_rate
        self.delay_seconds = delay_seconds

    def refund(self, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> GatewayResult:
        if reference.endswith(FAIL_ALWAYS) or (reference.endswith(FAIL_ONCE) and _attempt(idempotency_key) == 1):
            return GatewayResult.failed(DECLINED, f"The fake gateway declines {reference!r} (as its reference asks).")
        if self.fail_rate and _share(idempotency_key) < self.fail_rate:
            return GatewayResult.failed(DECLINED, "The fake gateway declined this attempt (RETURNDESK_FAKE_GATEWAY).")
        delay = _DELAY.search(reference)
        seconds = float(delay.group(1)) if delay else self.delay_seconds
        if seconds > 0:
            due = clock.now() + timedelta(seconds=seconds)
            return GatewayResult.pending(f"{_PREFIX}{idempotency_key}@{due.isoformat()}")
        return GatewayResult.succeeded(f"{_PREFIX}{idempotency_key}")

    def status(self, gateway_reference: str) -> GatewayResult:
        _, at, due = gateway_reference.partition("@")
        if not at:
            return GatewayResult.succeeded(gateway_reference)
        try:
            due_at = datetime.fromisoformat(due)
        except ValueError:
            return GatewayResult.failed("unknown_refund", f"The fake gateway made no refund {gateway_reference!r}.")
        if clock.now() >= due_at:
            return GatewayResult.succeeded(gateway_reference)
        return GatewayResult.pending(gateway_reference)
