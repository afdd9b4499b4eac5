"""What happens after a refund commits never turns its answer into a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError

from returndesk.refunds import services
from returndesk.refunds.models import Refund
from returndesk.refunds.tests.test_refund_api import post
from returndesk.returns.models import Return
from returndesk.testing import Keys

pytestmark = pytest.mark.django_db


def test_a_failing_attempt_after_the_commit_leaves_the_refund_answered(
    inspected: Callable[..., Return],
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(ids: list[int]) -> None:
        raise DatabaseError("the connection dropped")

    monkeypatch.setattr(services, "_started", [broken])
    ret = inspected()

    with django_capture_on_commit_callbacks(execute=True):
        answer = post(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/refund", {})

    assert (answer.status_code, Refund.objects.filter(return_request=ret).count()) == (200, 1)
