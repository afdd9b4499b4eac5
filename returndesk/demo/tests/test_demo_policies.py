"""The demo's policies: Lumen Lighting has a version of its own, made after its returns."""

from __future__ import annotations

import pytest

from returndesk.demo.seed import demo_seed
from returndesk.marketplace.models import OrderLine
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.models import PolicyVersion
from returndesk.policies.selectors import policy_in_force
from returndesk.returns.models import Return
from returndesk.testing import NOW


@pytest.mark.django_db
def test_lumen_has_its_own_version_and_the_others_keep_the_default() -> None:
    demo_seed(now=NOW)

    (lumen,) = PolicyVersion.objects.filter(seller__isnull=False)
    policy = policy_in_force(seller_id=lumen.seller_id).policy
    assert (lumen.version, lumen.seller.external_id) == (2, "S-LUMEN")
    assert policy.restocking_fee_percent == 10
    assert policy.auto_approve.reasons == (Reason.DEFECTIVE,)
    # The category it refuses is one its demo lines are filed under.
    lumen_categories = set(OrderLine.objects.filter(order__seller=lumen.seller).values_list("category", flat=True))
    assert set(policy.non_returnable_categories) == lumen_categories == {"Lighting"}
    for seller in ("S-VOLT", "S-KNIT"):
        other = Return.objects.filter(seller__external_id=seller).first()
        assert other is not None
        assert policy_in_force(seller_id=other.seller_id).version == 1
    # Every demo return was opened before Lumen's version but those of its orders placed for
    # issue 9's money (O-1013 to O-1016), seeded after it: its hold limit holds the chandelier's refund.
    money = [f"O-{number}" for number in range(1013, 1017)]
    assert set(Return.objects.exclude(order__external_id__in=money).values_list("policy", flat=True)) == {1}
    assert set(Return.objects.filter(order__external_id__in=money).values_list("policy__version", flat=True)) == {2}
