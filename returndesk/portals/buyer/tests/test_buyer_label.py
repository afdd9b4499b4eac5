"""The label on the buyer's return page: the QR the label carries, the downloads, ship-by and how
to pack once approved; a line saying the label follows approval before. And who may download."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from returndesk.labels import documents, services
from returndesk.labels.tests.reading import decoded, page_image
from returndesk.marketplace.models import Order
from returndesk.portals.buyer.tests.pages import shown_problem
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import PortalScene, Route, buyer_client, everyone

PENDING = "Your return label and packing slip will be here once the seller approves the return."


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


@pytest.fixture
def ana_return(make_order: Callable[..., Order]) -> Return:
    order = make_order(buyer=buyer_payload("B-ANA", time_zone="Europe/Madrid"), number="N-77")
    return return_opened(order=order)


def test_an_approved_return_shows_the_labels_qr_downloads_ship_by_and_how_to_pack(ana_return: Return) -> None:
    approved = return_to(ana_return, Status.APPROVED)
    assert approved.ship_by is not None

    page = buyer_client("B-ANA").get(f"/buyer/returns/{approved.code}").content.decode()

    payload = services.qr_payload_sign(code=approved.code, seller="S-A", ship_by=approved.ship_by)
    # Ed25519 signatures are deterministic: the page's QR is exactly the label's payload.
    assert documents.qr_svg(payload, title="QR code of your return label") in page
    assert f'href="/buyer/returns/{approved.code}/label.pdf" download data-download="label"' in page
    assert f'href="/buyer/returns/{approved.code}/packing-slip.pdf" download data-download="packing-slip"' in page
    assert "Hand the parcel over by March 20, 2026, 2 p.m. (Europe/Madrid)." in page
    for step in documents.PACKING_INSTRUCTIONS:
        assert f"<li>{step}</li>" in page
    assert PENDING not in page


def test_past_ship_by_the_page_says_what_the_counter_says_instead_of_the_label(ana_return: Return) -> None:
    approved = return_to(ana_return, Status.APPROVED)
    assert approved.ship_by is not None

    with frozen_clock(approved.ship_by + timedelta(seconds=1)):
        page = buyer_client("B-ANA").get(f"/buyer/returns/{approved.code}").content.decode()

    assert "data-label>" not in page
    assert "<svg" not in page
    assert "<p data-code-refused>The time to ship this return has passed; the code is no longer accepted.</p>" in page
    assert "Write this code on the parcel" not in page


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (Status.CANCELLED, "This return was cancelled; the code is no longer accepted."),
        (Status.IN_TRANSIT, "This code has already been used for a parcel."),
    ],
)
def test_a_code_no_parcel_needs_is_not_to_be_written_on_one(ana_return: Return, status: Status, said: str) -> None:
    ret = return_to(ana_return, status)

    page = buyer_client("B-ANA").get(f"/buyer/returns/{ret.code}").content.decode()

    assert f"<p data-code-refused>{said}</p>" in page
    assert "Write this code on the parcel" not in page


def test_before_approval_the_page_says_the_label_follows_it(ana_return: Return) -> None:
    page = buyer_client("B-ANA").get(f"/buyer/returns/{ana_return.code}").content.decode()

    assert f"<p data-label-pending>{PENDING}</p>" in page
    assert "data-label>" not in page
    assert "<svg" not in page


def test_the_buyers_label_download_scans_to_the_code(ana_return: Return) -> None:
    approved = return_to(ana_return, Status.APPROVED)

    answer = buyer_client("B-ANA").get(f"/buyer/returns/{approved.code}/label.pdf")

    assert (answer.status_code, answer["Content-Type"], answer["Content-Disposition"]) == (
        200,
        "application/pdf",
        f'attachment; filename="return-{approved.code}-label.pdf"',
    )
    assert decoded(page_image(answer.content, dpi=150))["Code128"] == [approved.code]


@pytest.mark.parametrize("document", ["label.pdf", "packing-slip.pdf"])
def test_a_download_before_approval_shows_the_apis_problem(ana_return: Return, document: str) -> None:
    answer = buyer_client("B-ANA").get(f"/buyer/returns/{ana_return.code}/{document}")

    assert answer.status_code == 409
    assert shown_problem(answer.content) == {
        "code": "label_unavailable",
        "title": "Labels are printed for approved returns only",
        "detail": "This return is requested; its label is available while it is approved.",
    }


def _downloads(expected_for_buyer_a: str, path: str) -> dict[str, str]:
    """Buyer A (whose return it is) gets ``expected_for_buyer_a``; buyer B 404; staff 403; nobody is
    sent to the Email form."""
    return everyone(
        "403 forbidden", buyer_a=expected_for_buyer_a, buyer_b="404 not_found", signed_out=f"302 /buyer/?next={path}"
    )


@pytest.mark.parametrize("document", ["label.pdf", "packing-slip.pdf"])
def test_who_may_download_a_label(portal_scene: PortalScene, document: str) -> None:
    code = portal_scene.values["return_a"]
    path = f"/buyer/returns/{code}/{document}"
    requested = portal_scene.answers(Route("GET", path, _downloads("409 label_unavailable", path)))
    return_to(Return.objects.get(code=code), Status.APPROVED)

    assert requested == _downloads("409 label_unavailable", path)
    assert portal_scene.answers(Route("GET", path, _downloads("200", path))) == _downloads("200", path)
    assert portal_scene.answers(Route("POST", path, everyone("405 method_not_allowed"))) == everyone(
        "405 method_not_allowed"
    )
