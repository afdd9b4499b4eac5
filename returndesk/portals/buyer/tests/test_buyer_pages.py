"""The buyer's pages through the Django client: orders, the open-return form, a return, cancelling.

Orders are delivered three days before NOW (``scenarios.payloads``) and the clock stands at NOW.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from returndesk.marketplace.models import Order, Seller
from returndesk.policies.domain.policy import AutoApprove, ReturnPolicy, policy_to_json
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.models import PolicyVersion
from returndesk.portals.buyer.tests.pages import (
    api_problem,
    form_token,
    line_fields,
    open_return_form,
    shown_problem,
)
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return
from returndesk.returns.services import return_event_append
from returndesk.scenarios.journeys import PLATFORM, return_opened, return_to
from returndesk.scenarios.payloads import buyer_payload, line_payload
from returndesk.testing import NOW, Keys, extension_queries, frozen_clock
from returndesk.testing.portal_clients import buyer_client

ANA = buyer_payload("B-ANA", email="ana@example.com", time_zone="Europe/Madrid")


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


@pytest.fixture
def ana_order(make_order: Callable[..., Order]) -> Callable[..., Order]:
    def make(**kwargs: object) -> Order:
        return make_order(buyer=ANA, **kwargs)

    return make


@pytest.fixture
def ana(ana_order: Callable[..., Order]) -> Client:
    ana_order(external_id="O-1", number="N-1")
    return buyer_client("B-ANA")


# --- /buyer/ ---------------------------------------------------------------------------------------


def test_signed_out_the_front_page_is_the_email_form(db):
    answer = Client().get("/buyer/")

    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'data-form="buyer-sign-in"' in page
    assert 'action="/buyer/sign-in/"' in page


def test_each_line_says_how_many_units_are_returnable_until_when(ana):
    page = ana.get("/buyer/").content.decode()

    # Delivered 2026-03-07 12:00 UTC: 30 days, to the end of the buyer's local day (Madrid).
    assert '<li data-line="L1" data-returnable="2">' in page
    assert "2 returnable until April 6, 2026" in page
    assert '<li data-line="L2" data-returnable="1">' in page
    assert 'href="/buyer/orders/O-1/return" data-return-items' in page


def test_why_a_line_is_not_returnable(ana_order, ana):
    ana_order(external_id="O-SALE", lines=[line_payload("L1", title="Clearance mug", final_sale=True)])
    ana_order(external_id="O-LATE", delivered_at=NOW - timedelta(days=40), lines=[line_payload("L1", title="Old")])
    ana_order(external_id="O-COMING", delivered_at=None, lines=[line_payload("L1", title="On its way")])
    held = return_opened(order=Order.objects.get(external_id="O-1"),
                         lines=[RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE)])  # fmt: skip

    page = ana.get("/buyer/").content.decode()

    # Final sale refuses the buyer's choice only: the mug stays returnable if faulty, and says so.
    assert '<li data-line="L1" data-why-not="final_sale" data-returnable="1">' in page
    assert (
        '<span data-refusal="final_sale">Clearance mug was sold as final sale: returnable only if faulty, wrong or'
        " not as described.</span>"
    ) in page
    assert '<li data-line="L1" data-why-not="window_closed">' in page
    # Delivered 2026-01-29: the window's 30th day, Saturday 2026-02-28, rolls to Monday 2 March.
    assert "Old could be returned until 2 March 2026." in page
    assert '<li data-line="L1" data-why-not="not_delivered">' in page
    assert "On its way has not been delivered yet." in page
    assert '<li data-line="L2" data-why-not="already_returned">' in page
    assert (
        '<span data-refusal="already_returned">The unit is already in a return.'
        f' <a href="/buyer/returns/{held.code}">{held.code_display}</a></span>'
    ) in page
    # Orders whose every line is refused offer no return form.
    assert page.count("data-return-items") == 2


def test_an_orders_returns_link_their_pages_with_status(ana):
    ret = return_opened(order=Order.objects.get(external_id="O-1"))

    page = ana.get("/buyer/").content.decode()

    assert (
        f'<li data-return="{ret.code}"><a href="/buyer/returns/{ret.code}" class="code-link">{ret.code_display}</a>: '
        '<span data-status="requested">Requested</span></li>'
    ) in page


def test_orders_come_newest_first_twenty_a_page(ana_order, ana):
    for day in range(1, 21):
        # Each placed after O-1 (placed ten days before NOW), O-21 last.
        ana_order(external_id=f"O-{day + 1}", placed_at=NOW - timedelta(days=9) + timedelta(hours=day))

    first = ana.get("/buyer/").content.decode()
    older_link = first.split('<a href="?cursor=')[1].split('"')[0]
    second = ana.get(f"/buyer/?cursor={older_link}").content.decode()

    assert [f'data-order="O-{number}"' in first for number in (21, 2)] == [True, True]
    assert first.index('data-order="O-21"') < first.index('data-order="O-2"')
    assert first.count("<article data-order=") == 20
    assert 'rel="next">Older orders</a>' in first
    assert second.count("<article data-order=") == 1
    assert 'data-order="O-1"' in second
    assert "Older orders" not in second


def test_a_foreign_cursor_is_422_as_the_api_says(ana):
    answer = ana.get("/buyer/?cursor=bm90LWEtY3Vyc29y")

    assert answer.status_code == 422
    assert shown_problem(answer.content)["code"] == "validation_error"


def _orders_with_a_return(ana_order: Callable[..., Order], count: int) -> None:
    for number in range(count):
        order = ana_order(external_id=f"O-Q{number}")
        return_opened(order=order)


@pytest.mark.parametrize("count", [1, 20])
def test_the_orders_page_reads_the_same_queries_for_1_and_20_orders(
    ana_order, django_assert_num_queries, count: int
) -> None:
    _orders_with_a_return(ana_order, count)
    client = buyer_client("B-ANA")

    # The session, its buyer; the orders, their lines, their returns, those returns' lines, the
    # sellers' policies in force.
    with django_assert_num_queries(7):
        answer = client.get("/buyer/")

    assert answer.content.decode().count("<article data-order=") == count


# --- /buyer/orders/<id>/return -------------------------------------------------------------------------


def test_the_return_form_has_a_fieldset_per_returnable_line(ana_order, ana):
    ana_order(
        external_id="O-MIXED",
        lines=[line_payload("L1", title="Teapot", quantity=3), line_payload("L2", title="Gift card", final_sale=True)],
    )

    page = ana.get("/buyer/orders/O-MIXED/return").content.decode()

    # The gift card (final sale) is returnable if faulty: its fieldset offers those reasons only.
    assert page.count("<fieldset") == 2
    assert ("<legend>Teapot</legend>" in page, "<legend>Gift card</legend>" in page) == (True, True)
    assert 'name="line-0-quantity" value="0" min="0" max="3"' in page
    assert page.count('<option value="size_fit">Size or fit</option>') == 1
    assert page.count('<option value="defective">Defective or does not work</option>') == 2
    assert '<span data-refusal="final_sale">Gift card was sold as final sale:' in page
    assert '<label for="id_line-0-note">Note (optional)</label>' in page
    assert '<label for="id_preferred_resolution">Preferred resolution</label>' in page
    # The advice's place comes before Open the return; Review the costs fills it in.
    assert page.index('<section id="advice"') < page.index(
        '<button type="submit" name="step" value="open">Open the return</button>'
    )
    assert '<button type="submit" name="step" value="review" class="secondary">Review the costs</button>' in page


def test_opening_a_return_redirects_to_it(ana):
    token = open_return_form(ana, "O-1")

    answer = ana.post(
        "/buyer/orders/O-1/return",
        {"token": token, **line_fields(0, "L1", 2, "size_fit", "Too small"), **line_fields(1, "L2", 0)},
    )

    ret = Return.objects.get()
    assert (answer.status_code, answer["Location"]) == (303, f"/buyer/returns/{ret.code}")
    assert [(line.order_line.external_id, line.quantity, line.reason, line.note) for line in ret.lines.all()] == [
        ("L1", 2, "size_fit", "Too small")
    ]
    assert ret.events.get().actor_kind == "buyer"


def test_a_double_submit_shows_the_first_return(ana):
    token = open_return_form(ana, "O-1")
    fields = {"token": token, **line_fields(0, "L1", 1, "defective"), **line_fields(1, "L2", 0)}

    first = ana.post("/buyer/orders/O-1/return", fields)
    second = ana.post("/buyer/orders/O-1/return", fields)

    assert first["Location"] == second["Location"] == f"/buyer/returns/{Return.objects.get().code}"
    assert second.status_code == 303


def test_no_line_chosen_is_422_with_the_form_kept(ana, keys: Keys):
    token = open_return_form(ana, "O-1")

    answer = ana.post(
        "/buyer/orders/O-1/return",
        {"token": token, **line_fields(0, "L1", 0, "", "Scratched"), **line_fields(1, "L2", 0)},
    )
    api = keys.client("platform").post(
        "/api/v1/returns", {"order": "O-1", "lines": []}, content_type="application/json"
    )

    page = answer.content.decode()
    shown = shown_problem(answer.content)
    assert (answer.status_code, api.status_code) == (422, 422)
    assert (shown["code"], shown["title"]) == (api_problem(api)["code"], api_problem(api)["title"])
    assert shown["detail"] == "Choose how many units to return of at least one item."
    assert ">Scratched</textarea>" in page
    assert form_token(answer.content) == token
    assert not Return.objects.exists()


def test_a_quantity_without_reason_is_422_naming_the_field(ana):
    token = open_return_form(ana, "O-1")

    answer = ana.post(
        "/buyer/orders/O-1/return", {"token": token, **line_fields(0, "L1", 1), **line_fields(1, "L2", 0)}
    )

    page = answer.content.decode()
    assert answer.status_code == 422
    assert "<code>form.line-0-reason</code>: Choose why you return this item." in page
    assert 'name="line-0-quantity" value="1"' in page
    assert not Return.objects.exists()


def test_more_units_than_returnable_is_the_apis_error(ana, keys: Keys):
    token = open_return_form(ana, "O-1")

    answer = ana.post(
        "/buyer/orders/O-1/return", {"token": token, **line_fields(0, "L1", 5, "defective"), **line_fields(1, "L2", 0)}
    )
    api = keys.client("platform").post(
        "/api/v1/returns",
        {"order": "O-1", "lines": [{"line": "L1", "quantity": 5, "reason": "defective"}]},
        content_type="application/json",
    )

    assert answer.status_code == api.status_code == 422
    assert shown_problem(answer.content) == api_problem(api)
    # Nothing was recorded for the token: corrected, the same form opens the return.
    corrected = ana.post(
        "/buyer/orders/O-1/return", {"token": token, **line_fields(0, "L1", 2, "defective"), **line_fields(1, "L2", 0)}
    )
    assert corrected.status_code == 303


def test_an_order_with_nothing_returnable_says_so(ana_order, ana):
    ana_order(external_id="O-LATE", delivered_at=NOW - timedelta(days=40), lines=[line_payload("L1", title="Old")])

    page = ana.get("/buyer/orders/O-LATE/return").content.decode()

    assert "<fieldset" not in page
    assert "Nothing on this order can be returned now." in page
    assert '<li data-line="L1" data-why-not="window_closed"><strong>Old</strong>: Old could be returned until' in page


# --- /buyer/returns/<code> ---------------------------------------------------------------------------


def test_the_return_page_shows_the_code_grouped_and_spelled(ana):
    ret = return_opened(order=Order.objects.get(external_id="O-1"), lines=[
        RequestedLine(line="L1", quantity=2, reason=Reason.SIZE_FIT, note="Too small")])  # fmt: skip

    page = ana.get(f"/buyer/returns/{ret.code.lower()}").content.decode()

    spelled = ", ".join(" ".join(group) for group in ret.code_display.split("-"))
    assert (
        f'<p class="return-code" data-code="{ret.code}"><span aria-hidden="true" data-code-display>'
        f'{ret.code_display}</span><span class="visually-hidden">{spelled}</span></p>'
    ) in page
    assert f'data-copy-code="{ret.code_display}"' in page
    assert 'src="/static/portals/copy-code.js" defer' in page
    assert '<strong data-status="requested">Requested</strong>' in page
    assert '<li data-line="L1">2 \N{MULTIPLICATION SIGN} Lamp: Size or fit. <q>Too small</q></li>' in page
    assert "The seller decides whether to approve your return." in page
    # Opened at 12:00 UTC; the seller has 5 days: 13:00 in Madrid.
    assert "If the seller has not answered by March 15, 2026, 1 p.m. (Europe/Madrid)" in page
    assert f'<a href="/buyer/returns/{ret.code}/cancel" data-cancel>Cancel the return</a>' in page


def test_an_approved_return_names_its_ship_by_time(ana):
    ret = return_to(return_opened(order=Order.objects.get(external_id="O-1")), Status.APPROVED, now=NOW)

    page = ana.get(f"/buyer/returns/{ret.code}").content.decode()

    assert ret.ship_by is not None
    # Approved at NOW (12:00 UTC), ten days to ship: 13:00 in Madrid.
    assert "Hand the parcel over by March 20, 2026, 1 p.m. (Europe/Madrid)." in page
    assert "data-cancel" in page


def test_the_timeline_names_actors_as_the_buyer_reads_them(ana):
    ret = return_to(return_opened(order=Order.objects.get(external_id="O-1")), Status.RECEIVED, now=NOW)

    page = ana.get(f"/buyer/returns/{ret.code}").content.decode()
    timeline = page.split('<section aria-labelledby="timeline-heading">')[1].split("</section>")[0]

    assert '<h2 id="timeline-heading">Timeline</h2>' in timeline
    assert [event.split('"')[0] for event in timeline.split('<li data-event="')[1:]] == [
        "request",
        "approve",
        "receive",
    ]
    assert "Return opened, by you, through the marketplace" in timeline
    assert "Approved, by the seller" in timeline
    assert "Received, by the seller" in timeline
    assert "data-cancel" not in page


@pytest.mark.parametrize("count", [1, 20])
def test_the_return_page_reads_the_same_queries_for_1_and_20_events(ana, django_assert_num_queries, count: int):
    ret = return_opened(order=Order.objects.get(external_id="O-1"))
    for minute in range(count - 1):
        return_event_append(ret=ret, actor=PLATFORM, action="note", at=NOW + timedelta(minutes=minute))

    # The session, its buyer; the return (order, seller, buyer joined), its lines, anomalies, events.
    with django_assert_num_queries(6 + extension_queries()):
        page = ana.get(f"/buyer/returns/{ret.code}").content.decode()

    assert page.count("<li data-event=") == count


# --- /buyer/returns/<code>/cancel -----------------------------------------------------------------


def test_cancelling_asks_then_cancels(ana):
    ret = return_opened(order=Order.objects.get(external_id="O-1"))

    confirm = ana.get(f"/buyer/returns/{ret.code}/cancel")
    fields = {"token": form_token(confirm.content)}
    first = ana.post(f"/buyer/returns/{ret.code}/cancel", fields)
    second = ana.post(f"/buyer/returns/{ret.code}/cancel", fields)

    ret.refresh_from_db()
    assert confirm.status_code == 200
    assert '<button type="submit">Cancel the return</button>' in confirm.content.decode()
    assert ret.status == Status.CANCELLED
    assert (first.status_code, first["Location"]) == (303, f"/buyer/returns/{ret.code}")
    # The second press of the same form answers as the first: no 409 for the buyer's double click.
    assert (second.status_code, second["Location"]) == (303, f"/buyer/returns/{ret.code}")
    assert ret.events.filter(action="cancel").get().actor_kind == "buyer"


def test_cancelling_a_received_return_is_the_apis_409(ana, keys: Keys):
    ret = return_to(return_opened(order=Order.objects.get(external_id="O-1")), Status.RECEIVED, now=NOW)
    token = form_token(ana.get(f"/buyer/returns/{ret.code}/cancel").content)

    answer = ana.post(f"/buyer/returns/{ret.code}/cancel", {"token": token})
    api = keys.client("platform").post(f"/api/v1/returns/{ret.code}/cancel", {}, content_type="application/json")

    assert answer.status_code == api.status_code == 409
    assert shown_problem(answer.content) == api_problem(api)
    ret.refresh_from_db()
    assert ret.status == Status.RECEIVED


def test_another_buyers_return_is_the_apis_404(ana, ana_order, make_order, keys: Keys):
    theirs = return_opened(order=make_order(external_id="O-BEN", buyer="B-BEN", seller="S-B"))

    page = ana.get(f"/buyer/returns/{theirs.code}")
    api = keys.client("seller_a").get(f"/api/v1/returns/{theirs.code}")

    assert page.status_code == api.status_code == 404
    assert shown_problem(page.content) == api_problem(api)


# --- The advice and auto-approve ------------------------------------------------------------------


def _lumen_policy(seller: str = "S-A", **fields: object) -> None:
    PolicyVersion.objects.create(
        seller=Seller.objects.get(external_id=seller),
        document=policy_to_json(ReturnPolicy(**fields)),  # type: ignore[arg-type]
        effective_at=NOW,
        actor_kind="platform",
    )


def test_review_the_costs_shows_the_advice_with_the_answers_kept(ana_order, ana):
    # Delivered 20 days ago: past Ana's 14 days of withdrawal, so the restocking fee applies.
    ana_order(external_id="O-FEE", delivered_at=NOW - timedelta(days=20))
    _lumen_policy(restocking_fee_percent=Decimal(10))
    token = open_return_form(ana, "O-FEE")

    answer = ana.post(
        "/buyer/orders/O-FEE/return",
        {"token": token, "step": "review", "preferred_resolution": "refund",
         **line_fields(0, "L1", 1, "changed_mind"), **line_fields(1, "L2", 0)},
    )  # fmt: skip

    page = answer.content.decode()
    assert (answer.status_code, Return.objects.count()) == (200, 0)
    assert (
        '<section id="advice" class="advice" aria-live="polite" aria-labelledby="advice-heading"'
        ' data-suggestion="ship">' in page
    )
    # One of two units of a line paid 36.00: 18.00, less 10 %.
    assert "<dd data-restocking-fee>1.80 EUR</dd>" in page
    assert "<dd data-refund-total>16.20 EUR</dd>" in page
    assert 'name="line-0-quantity" value="1"' in page
    assert '<option value="changed_mind" selected>' in page


def test_review_shows_why_a_request_would_be_refused(ana_order, ana):
    ana_order(external_id="O-SALE", lines=[line_payload("L1", title="Clearance mug", final_sale=True)])
    token = open_return_form(ana, "O-SALE")

    answer = ana.post(
        "/buyer/orders/O-SALE/return", {"token": token, "step": "review", **line_fields(0, "L1", 1, "changed_mind")}
    )

    page = answer.content.decode()
    assert answer.status_code == 200
    assert (
        "<ul data-refusals><li>Clearance mug was sold as final sale: returnable only if faulty, wrong or not as"
        " described.</li></ul>"
    ) in page


def test_an_auto_approved_return_opens_approved(ana_order, ana):
    _lumen_policy(auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)))
    token = open_return_form(ana, "O-1")

    review = ana.post(
        "/buyer/orders/O-1/return", {"token": token, "step": "review", **line_fields(0, "L1", 1, "defective")}
    )
    opened = ana.post(
        "/buyer/orders/O-1/return", {"token": token, "step": "open", **line_fields(0, "L1", 1, "defective")}
    )

    assert "data-auto-approve" in review.content.decode()
    ret = Return.objects.get()
    assert (opened.status_code, opened["Location"], ret.status) == (303, f"/buyer/returns/{ret.code}", "approved")
    assert '<strong data-status="approved">Approved</strong>' in ana.get(opened["Location"]).content.decode()


def test_a_policy_without_exchanges_offers_none(ana_order, ana):
    _lumen_policy(exchanges=False)

    page = ana.get("/buyer/orders/O-1/return").content.decode()

    assert ('<option value="refund"' in page, '<option value="exchange"' in page) == (True, False)
