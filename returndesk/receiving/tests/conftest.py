"""Receiving's scenes: a two-line return of seller S-A, approved and waiting for its parcel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import Keys

# L1: two lamps with a GTIN-13; L2: one cable without a GTIN.
LAMP_GTIN = "4006381333931"


@pytest.fixture
def boxed(make_order: Callable[..., Order], keys: Keys) -> Callable[..., Return]:
    """``boxed(status=approved, seller="S-A")``: a fresh return of two lamps (L1) and a cable (L2)."""

    def make(*, status: Status = Status.APPROVED, seller: str = "S-A", **order: Any) -> Return:
        placed = make_order(
            seller=seller,
            lines=[
                line_payload("L1", sku="SKU-1", title="Lamp", quantity=2, gtin=LAMP_GTIN, weight_g=500),
                line_payload("L2", sku="SKU-2", title="Cable", weight_g=100),
            ],
            **order,
        )
        ret = return_opened(
            order=placed,
            lines=[
                RequestedLine(line="L1", quantity=2, reason=Reason.DEFECTIVE),
                RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE),
            ],
            actor=keys.actors["platform"],
        )
        return return_to(ret, status)

    return make
