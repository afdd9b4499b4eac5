"""The label and packing-slip routes and the published keys, through the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from returndesk.core.problems import TYPE_BASE
from returndesk.labels import services
from returndesk.labels.domain import qr
from returndesk.labels.models import QrKey
from returndesk.labels.tests.reading import decoded, page_image
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys, frozen_clock


@pytest.fixture
def approved(make_return: Callable[..., Return]) -> Return:
    return return_to(make_return(), Status.APPROVED)


def _published(keys: Keys) -> dict[str, bytes]:
    answer = keys.client(None).get("/api/v1/keys/qr").json()
    return {key["kid"]: qr.b64url_decode(key["public_key"]) for key in answer["keys"]}


def test_a_sellers_label_scans_to_its_code_and_a_qr_the_published_keys_verify(keys: Keys, approved: Return) -> None:
    response = keys.client("seller_a").get(f"/api/v1/returns/{approved.code}/label.pdf")

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "application/pdf",
        f'attachment; filename="return-{approved.code}-label.pdf"',
    )
    assert response["Cache-Control"] == "private, no-store"
    found = decoded(page_image(response.content, dpi=150))
    assert found["Code128"] == [approved.code]
    assert approved.ship_by is not None
    with frozen_clock(NOW):
        assert qr.verify(found["QRCode"][0], public_keys=_published(keys), now=NOW) == qr.QrPayload(
            code=approved.code, seller="S-A", exp=int(approved.ship_by.timestamp()), kid=QrKey.objects.get().kid
        )


def test_the_packing_slip_is_a_pdf_named_for_the_return(keys: Keys, approved: Return) -> None:
    response = keys.client("agent").get(f"/api/v1/returns/{approved.code.lower()}/packing-slip.pdf")

    assert (response.status_code, response["Content-Disposition"], response.content[:5]) == (
        200,
        f'attachment; filename="return-{approved.code}-packing-slip.pdf"',
        b"%PDF-",
    )


@pytest.mark.parametrize("document", ["label.pdf", "packing-slip.pdf"])
def test_a_return_not_approved_has_no_label_and_nothing_is_signed(
    keys: Keys, make_return: Callable[..., Return], document: str
) -> None:
    ret = make_return()

    response = keys.client("platform").get(f"/api/v1/returns/{ret.code}/{document}")

    assert (response.status_code, response.json()) == (
        409,
        {
            "type": TYPE_BASE + "label_unavailable",
            "title": "Labels are printed for approved returns only",
            "status": 409,
            "detail": "This return is requested; its label is available while it is approved.",
            "code": "label_unavailable",
            "return_status": "requested",
        },
    )
    assert QrKey.objects.count() == 0


def test_the_keys_are_published_without_a_key_newest_first(keys: Keys) -> None:
    old = services.qr_key_current(now=NOW)
    services.qr_payload_sign(code="K7Q2XM4D9T306", seller="S-A", ship_by=NOW)
    newest = services.qr_key_rotate(now=NOW)

    with frozen_clock(NOW):
        response = keys.client(None).get("/api/v1/keys/qr")

    assert (response.status_code, response.json()) == (
        200,
        {
            "keys": [
                {
                    "kid": newest.kid,
                    "alg": "Ed25519",
                    "public_key": qr.b64url_encode(bytes(newest.public_key)),
                    "not_after": None,
                },
                {
                    "kid": old.kid,
                    "alg": "Ed25519",
                    "public_key": qr.b64url_encode(bytes(old.public_key)),
                    "not_after": "2026-03-11T12:00:00Z",
                },
            ]
        },
    )
    assert "private" not in response.content.decode()


def test_a_label_reads_the_return_its_lines_and_the_key_once_its_key_exists(
    keys: Keys, approved: Return, django_assert_num_queries: Callable[..., object]
) -> None:
    client = keys.client("seller_a")
    client.get(f"/api/v1/returns/{approved.code}/label.pdf")  # makes the key, records the exp

    with django_assert_num_queries(3):  # the return (order, seller, buyer joined), its lines, the key
        assert client.get(f"/api/v1/returns/{approved.code}/label.pdf").status_code == 200
