"""The tests' refund gateways: the fake gateway, recording every call and, like Stripe, answering a
repeated idempotency key with its first answer (the refund is made once per key); and a transport
for Stripe's client that records each request and answers from a list (no network).

Put them in place with ``refunds.gateways.base.gateways_replaced({"fake": gateway})``, or
``{"stripe": StripeGateway(api_key=..., http_client=RecordingHttpClient([...]))}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import stripe

from returndesk.refunds.gateways.base import GatewayResult
from returndesk.refunds.gateways.fake import FakeGateway


@dataclass(frozen=True)
class GatewayCall:
    # "refund" or "status"
    kind: str
    reference: str
    amount: Decimal | None = None
    currency: str = ""
    idempotency_key: str = ""


class RecordingGateway:
    name: ClassVar[str] = "fake"
    confirmed_by_hand: ClassVar[bool] = False

    def __init__(self, inner: FakeGateway | None = None) -> None:
        self.inner = inner or FakeGateway()
        self.calls: list[GatewayCall] = []
        self.answers: dict[str, GatewayResult] = {}

    def refund(self, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> GatewayResult:
        self.calls.append(GatewayCall("refund", reference, amount, currency, idempotency_key))
        if idempotency_key not in self.answers:
            self.answers[idempotency_key] = self.inner.refund(reference, amount, currency, idempotency_key)
        return self.answers[idempotency_key]

    def status(self, gateway_reference: str) -> GatewayResult:
        self.calls.append(GatewayCall("status", gateway_reference))
        return self.inner.status(gateway_reference)

    @property
    def keys(self) -> list[str]:
        """The idempotency keys of the refund calls, in order (a repeat appears twice)."""
        return [call.idempotency_key for call in self.calls if call.kind == "refund"]


class RecordingHttpClient(stripe.HTTPClient):
    """Stripe's transport replaced: every request is kept, and answered from ``answers`` in turn."""

    name = "recording"

    def __init__(self, answers: list[tuple[int, dict[str, Any]]]) -> None:
        super().__init__()
        self.answers = answers
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, **_: Any) -> Any:
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}), "body": post_data})
        status, body = self.answers.pop(0)
        return json.dumps(body), status, {"request-id": "req_1"}

    def close(self) -> None:
        pass
