"""The demo's warehouse has a parcel to match: one recorded without a return, for Volt Gadgets."""

from __future__ import annotations

import pytest

from returndesk.demo.seed import demo_seed
from returndesk.receiving.models import Parcel
from returndesk.testing import NOW


@pytest.mark.django_db
def test_the_demo_has_an_unmatched_parcel_for_volt_gadgets() -> None:
    demo_seed(now=NOW)

    assert list(Parcel.objects.values_list("seller__external_id", "status", "tracking_number")) == [
        ("S-VOLT", "unmatched", "RR123456785GB")
    ]
