"""The manual gateway: the seller pays the buyer back by other means and confirms it here.

Nothing is called: every refund stays pending, awaiting the seller's ``confirm`` (or customer
service's), until ``clock_days.manual_refund_confirm`` passes and it fails ``confirmation_timeout``
(``refunds.execution``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from returndesk.refunds.gateways.base import GatewayResult


class ManualGateway:
    name: ClassVar[str] = "manual"
    confirmed_by_hand: ClassVar[bool] = True

    def refund(self, reference: str, amount: Decimal, currency: str, idempotency_key: str) -> GatewayResult:
        return GatewayResult.pending()

    def status(self, gateway_reference: str) -> GatewayResult:
        return GatewayResult.pending(gateway_reference)
