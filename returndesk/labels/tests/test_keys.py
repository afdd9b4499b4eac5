"""The QR keys: made on the first label, rotated by hand, published as long as their labels need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from returndesk.labels import selectors, services
from returndesk.labels.domain import qr
from returndesk.labels.models import QrKey
from returndesk.testing import NOW

SHIP_BY = datetime(2030, 5, 17, 12, 0, 30, 500_000, tzinfo=UTC)
CODE = "K7Q2XM4D9T306"


@pytest.mark.django_db
def test_the_first_signature_makes_the_key_and_records_its_exp() -> None:
    assert selectors.qr_keys_published(now=NOW) == []

    payload = services.qr_payload_sign(code=CODE, seller="S-A", ship_by=SHIP_BY)

    key = QrKey.objects.get()
    assert (key.kid, key.last_exp) == (qr.kid_of(bytes(key.public_key)), 1_905_249_630)
    assert qr.verify(payload, public_keys=selectors.qr_public_keys(now=NOW), now=NOW) == qr.QrPayload(
        code=CODE, seller="S-A", exp=1_905_249_630, kid=key.kid
    )
    assert selectors.qr_keys_published(now=NOW) == [
        selectors.PublishedKey(kid=key.kid, public_key=bytes(key.public_key), not_after=None)
    ]


@pytest.mark.django_db
def test_an_earlier_exp_never_lowers_the_recorded_one() -> None:
    services.qr_payload_sign(code=CODE, seller="S-A", ship_by=SHIP_BY)
    services.qr_payload_sign(code=CODE, seller="S-A", ship_by=SHIP_BY - timedelta(days=3))
    assert QrKey.objects.get().last_exp == 1_905_249_630


@pytest.mark.django_db
def test_after_rotation_new_labels_use_the_newest_and_the_old_key_lasts_a_day_past_its_last_exp() -> None:
    old_payload = services.qr_payload_sign(code=CODE, seller="S-A", ship_by=SHIP_BY)
    unused = services.qr_key_rotate(now=NOW)  # superseded before it signed anything
    newest = services.qr_key_rotate(now=NOW)

    new_payload = services.qr_payload_sign(code=CODE, seller="S-A", ship_by=SHIP_BY)

    old = QrKey.objects.order_by("id").first()
    assert old is not None
    assert qr.parse(new_payload).kid == newest.kid
    until = datetime(2030, 5, 18, 12, 0, 30, tzinfo=UTC)
    assert [(key.kid, key.not_after) for key in selectors.qr_keys_published(now=NOW)] == [
        (newest.kid, None),
        (old.kid, until),
    ]
    assert unused.kid not in selectors.qr_public_keys(now=NOW)
    assert qr.verify(old_payload, public_keys=selectors.qr_public_keys(now=NOW), now=NOW).kid == old.kid
    assert selectors.qr_public_keys(now=until - timedelta(microseconds=1)).keys() == {newest.kid, old.kid}
    assert selectors.qr_public_keys(now=until).keys() == {newest.kid}
