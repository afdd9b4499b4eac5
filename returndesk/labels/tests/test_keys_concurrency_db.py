"""The first labels drawn at once make one key between them (real threads, real database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, connections

from returndesk.labels import services
from returndesk.labels.domain import qr
from returndesk.labels.models import QrKey
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot show concurrent writers (see returns' test_concurrency_db)")


def test_twelve_first_labels_at_once_make_one_key_and_all_use_it() -> None:
    ship_by = datetime(2030, 5, 17, tzinfo=UTC)

    payloads = at_once(
        12,
        lambda: services.qr_payload_sign(code="K7Q2XM4D9T306", seller="S-A", ship_by=ship_by),
        on_exit=connections.close_all,
    )

    key = QrKey.objects.get()
    assert {qr.parse(payload).kid for payload in payloads} == {key.kid}
    assert key.last_exp == int(ship_by.timestamp())
