"""The seller's pages: the queue, search by code, a return and its actions; each refusal is the
API's (code, title, detail) for the same request."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils.html import escape

from returndesk.core.actors import SYSTEM_CLOCK
from returndesk.core.errors import ForbiddenAction
from returndesk.portals.seller import views
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.services import return_event_append
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, extension_queries

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _api_problem(response) -> dict[str, str]:
    body = json.loads(response.content)
    return {"status": response.status_code, "code": body["code"], "title": body["title"], "detail": body["detail"]}


def _page_problem(response) -> dict[str, str]:
    """The problem partial's members as the page shows them."""
    text = response.text
    return {
        "status": response.status_code,
        "code": re.search(r'data-problem="([^"]+)"', text).group(1),
        "title": re.search(r'id="problem-title">([^<]*)<', text).group(1),
        "detail": re.search(r'id="problem-title">[^<]*</h[12]>\s*<p>([^<]*)</p>', text).group(1),
    }


def _escaped(problem: dict[str, str]) -> dict[str, str]:
    return {name: escape(value) if isinstance(value, str) else value for name, value in problem.items()}


def _rows(response) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', response.text)


# -- the queue -----------------------------------------------------------------------------------


def test_the_queue_lists_the_seller_s_returns_newest_first_with_status_order_items_and_deadline(
    people, make_return, make_order
):
    older = make_return(now=NOW - timedelta(hours=2))
    newer = make_return(now=NOW - timedelta(hours=1))
    make_return(order=make_order(seller="S-B"))

    response = people["seller_a_manager"].get("/seller/")

    assert response.status_code == 200
    assert _rows(response) == [newer.code, older.code]
    row = response.text[response.text.index(f'<tr data-code="{newer.code}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="requested"' in row
    assert f'<a href="/seller/returns/{newer.code}" class="code">{codes.display(newer.code)}</a>' in row
    assert "<td>Requested</td>" in row
    assert f"<td>{newer.order.number}</td>" in row
    assert "<li>1 \u00d7 Lamp</li>" in row
    assert "approved automatically" in row
    assert 'class="table-scroll"' in response.text


def test_the_queue_counts_each_status_with_a_link_to_it(people, make_return):
    return_to(make_return(), Status.APPROVED)
    make_return()
    make_return()

    response = people["seller_a_manager"].get("/seller/")

    assert '<a href="?status=requested" data-count-status="requested">Requested <span data-count>2</span></a>' in (
        response.text
    )
    assert '<a href="?status=approved" data-count-status="approved">Approved <span data-count>1</span></a>' in (
        response.text
    )
    assert '<a href="?status=closed" data-count-status="closed">Closed <span data-count>0</span></a>' in response.text


def test_the_queue_filters_by_status_order_number_and_days_opened(people, make_return, make_order):
    approved = return_to(make_return(), Status.APPROVED)
    requested = make_return(order=make_order(number="N-WANTED"))
    yesterday = make_return(now=NOW - timedelta(days=1))
    client = people["seller_a_manager"]

    by_status = client.get("/seller/?status=approved&order_number=&created_from=&created_to=")
    by_number = client.get("/seller/?order_number=N-WANTED")
    by_day = client.get(
        f"/seller/?created_from={(NOW - timedelta(days=1)).date()}&created_to={(NOW - timedelta(days=1)).date()}"
    )
    from_today = client.get(f"/seller/?created_from={NOW.date()}")

    assert _rows(by_status) == [approved.code]
    assert '<option value="approved" selected>Approved</option>' in by_status.text
    assert _rows(by_number) == [requested.code]
    assert _rows(by_day) == [yesterday.code]
    assert set(_rows(from_today)) == {approved.code, requested.code}


def test_the_queue_pages_by_cursor_keeping_its_filters(people, make_return, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    opened = [make_return(now=NOW - timedelta(minutes=minutes)) for minutes in (1, 2, 3)]
    client = people["seller_a_manager"]

    first = client.get("/seller/?status=requested")
    next_page = re.search(r'<a href="([^"]+)" rel="next" data-next-page>Next page</a>', first.text).group(1)
    second = client.get("/seller/" + next_page.replace("&amp;", "&"))

    assert _rows(first) == [opened[0].code, opened[1].code]
    assert "status=requested" in next_page
    assert _rows(second) == [opened[2].code]
    assert "data-next-page" not in second.text


@pytest.mark.parametrize(
    ("page_query", "api_query"),
    [
        ("status=lost", "status=lost"),
        ("created_from=yesterday", "created_after=yesterday"),
    ],
)
def test_a_bad_filter_is_the_api_s_422(people, keys, page_query, api_query):
    page = people["seller_a_manager"].get(f"/seller/?{page_query}")
    api = keys.client("seller_a").get(f"/api/v1/returns?{api_query}")

    assert _page_problem(page) == _escaped(_api_problem(api))
    assert _page_problem(page)["code"] == "validation_error"


def test_an_end_date_before_the_start_date_is_422(people):
    response = people["seller_a_manager"].get("/seller/?created_from=2026-03-10&created_to=2026-03-09")

    assert _page_problem(response) == {
        "status": 422,
        "code": "validation_error",
        "title": "Some fields are invalid",
        "detail": "The end date comes before the start date.",
    }


def test_the_queue_reads_as_many_queries_for_20_rows_as_for_1(people, make_return, django_assert_num_queries):
    make_return()
    client = people["seller_a_manager"]
    client.get("/seller/")  # the session's first read warms nothing that counts below

    with django_assert_num_queries(7 + extension_queries(detail=False)):
        one = client.get("/seller/")
    for _ in range(19):
        make_return()
    with django_assert_num_queries(7 + extension_queries(detail=False)):
        twenty = client.get("/seller/")

    assert (len(_rows(one)), len(_rows(twenty))) == (1, 20)


# -- search by code ------------------------------------------------------------------------------


def test_search_opens_a_code_typed_in_lower_case_with_spaces(people, make_return):
    ret = make_return()
    typed = " ".join(codes.display(ret.code).lower().split("-"))

    response = people["seller_a_warehouse"].get("/seller/search", {"code": typed})

    assert (response.status_code, response["Location"]) == (302, f"/seller/returns/{ret.code}")


def test_search_offers_the_seller_s_codes_one_slip_away_from_a_typo(people, make_return):
    ret = make_return()
    slipped = ret.code[:3] + next(s for s in "0123456789ABCDEFGHJKMNPQRSTVWXYZ" if s != ret.code[3]) + ret.code[4:]

    response = people["seller_a_manager"].get("/seller/search", {"code": slipped})

    assert response.status_code == 200
    assert 'data-search-result="typo"' in response.text
    assert (
        f'<a href="/seller/returns/{ret.code}" data-code="{ret.code}" class="code">{codes.display(ret.code)}</a>'
        in response.text
    )


def test_search_says_when_nothing_is_found_and_another_seller_s_code_is_nothing(people, make_return):
    ret = make_return()

    response = people["seller_b_manager"].get("/seller/search", {"code": ret.code})

    assert response.status_code == 200
    assert 'data-search-result="not_found"' in response.text
    assert "No return found" in response.text
    assert f"/seller/returns/{ret.code}" not in response.text


def test_an_empty_search_is_422(people):
    response = people["seller_a_manager"].get("/seller/search", {"code": "  "})

    assert _page_problem(response)["code"] == "validation_error"
    assert response.status_code == 422


# -- a return ------------------------------------------------------------------------------------


def test_a_return_shows_its_lines_deadline_status_and_timeline_oldest_first(people, make_return):
    ret = return_to(make_return(), Status.RECEIVED)

    response = people["seller_a_manager"].get(f"/seller/returns/{ret.code}")

    text = response.text
    assert response.status_code == 200
    assert f'data-code="{ret.code}" data-status="received"' in text
    assert '<tr data-line="L1" data-outcome="pending">' in text
    assert "<td>Defective or does not work</td>" in text
    assert "counted as inspected unless someone acts first" in text
    assert '<section aria-labelledby="timeline-heading" data-timeline>' in text
    assert '<h2 id="timeline-heading">Timeline</h2>' in text
    assert re.findall(r'<li data-event="([^"]+)">', text) == ["request", "approve", "receive"]
    assert '<span data-actor="platform">platform <code>' in text
    assert f'<form method="post" action="/seller/returns/{ret.code}/inspect" data-action="inspect">' in text
    assert 'data-action="approve"' not in text


def test_actions_follow_the_lifecycle_and_warehouse_staff_see_no_approve_or_reject(people, make_return):
    ret = make_return()

    manager = people["seller_a_manager"].get(f"/seller/returns/{ret.code}")
    warehouse = people["seller_a_warehouse"].get(f"/seller/returns/{ret.code}")

    # Issue 9: a requested return may also be settled by an offer, or kept by the buyer.
    assert re.findall(r'data-action="([^"]+)"', manager.text) == ["approve", "reject", "offer", "keep"]
    assert ">Approve</button>" in manager.text
    assert re.findall(r'data-action="([^"]+)"', warehouse.text) == []


# A manager may offer a settlement on a requested return: the page also reads what the offer may
# reach (``refunds.selectors.refund_plan``: the order's lines with their held units, its payments).
REFUND_PLAN_QUERIES = 2


def test_a_return_page_reads_as_many_queries_for_20_events_as_for_1(people, make_return, django_assert_num_queries):
    ret = make_return()
    client = people["seller_a_manager"]
    client.get(f"/seller/returns/{ret.code}")

    with django_assert_num_queries(7 + extension_queries() + REFUND_PLAN_QUERIES):
        one = client.get(f"/seller/returns/{ret.code}")
    for minutes in range(19):
        return_event_append(ret=ret, actor=SYSTEM_CLOCK, action="note", at=NOW + timedelta(minutes=minutes))
    with django_assert_num_queries(7 + extension_queries() + REFUND_PLAN_QUERIES):
        twenty = client.get(f"/seller/returns/{ret.code}")

    assert (one.text.count("<li data-event="), twenty.text.count("<li data-event=")) == (1, 20)


def test_another_seller_s_return_is_the_api_s_404(people, keys, make_return):
    ret = make_return()

    page = people["seller_b_manager"].get(f"/seller/returns/{ret.code}")
    api = keys.client("seller_b").get(f"/api/v1/returns/{ret.code}")

    assert _page_problem(page) == _escaped(_api_problem(api)) | {"status": 404}


# -- actions -------------------------------------------------------------------------------------


def test_approve_goes_back_to_the_return_approved(people, keys, make_return):
    ret = make_return()

    response = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/approve")
    page = people["seller_a_manager"].get(response["Location"])
    api = json.loads(keys.client("seller_a").get(f"/api/v1/returns/{ret.code}").content)

    assert (response.status_code, response["Location"]) == (303, f"/seller/returns/{ret.code}")
    assert 'data-status="approved"' in page.text
    assert api["status"] == "approved"
    assert [event["actor"]["kind"] for event in api["timeline"]] == ["platform", "seller_user"]


def test_approve_with_htmx_answers_the_return_page_s_main_part(people, make_return):
    ret = make_return()

    response = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/approve", headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'data-code="{ret.code}" data-status="approved"' in response.text


def test_reject_needs_a_reason_as_the_api_does(people, keys, make_return):
    ret = make_return()

    page = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/reject", {"reason": ""})
    api = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/reject", {"reason": ""}, content_type="application/json"
    )

    ret.refresh_from_db()
    assert _page_problem(page) == _escaped(_api_problem(api)) | {"status": 422}
    assert "<li><code>form.reason</code>: String should have at least 1 character</li>" in page.text
    assert ret.status == Status.REQUESTED
    # The return page stays, with its forms, under the problem.
    assert 'data-action="reject"' in page.text


def test_a_blank_reason_is_the_service_s_refusal_as_in_the_api(people, keys, make_return):
    ret = make_return()

    page = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/reject", {"reason": "   "})
    api = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/reject", {"reason": "   "}, content_type="application/json"
    )

    assert _page_problem(page) == _escaped(_api_problem(api))


def test_reject_with_a_reason_rejects_and_the_timeline_shows_it(people, make_return):
    ret = make_return()

    people["seller_a_manager"].post(f"/seller/returns/{ret.code}/reject", {"reason": "Opened & used."})
    page = people["seller_a_manager"].get(f"/seller/returns/{ret.code}")

    assert 'data-status="rejected"' in page.text
    assert "<p data-reason>Opened &amp; used.</p>" in page.text


def test_receive_records_the_note(people, make_return):
    ret = return_to(make_return(), Status.APPROVED)

    response = people["seller_a_warehouse"].post(f"/seller/returns/{ret.code}/receive", {"note": "Box dented."})
    page = people["seller_a_warehouse"].get(f"/seller/returns/{ret.code}")

    assert response.status_code == 303
    assert 'data-status="received"' in page.text
    assert "<p data-reason>Box dented.</p>" in page.text


def test_inspect_records_each_line_s_outcome_and_condition(people, make_return):
    ret = return_to(make_return(), Status.RECEIVED)

    response = people["seller_a_warehouse"].post(
        f"/seller/returns/{ret.code}/inspect", {"line": "L1", "outcome": "rejected", "condition": "not_the_item"}
    )
    page = people["seller_a_warehouse"].get(f"/seller/returns/{ret.code}")

    assert response.status_code == 303
    assert 'data-status="inspected"' in page.text
    assert '<tr data-line="L1" data-outcome="rejected">' in page.text
    assert "<td>Not the item sold</td>" in page.text
    assert '<li data-anomaly="item_mismatch">' in page.text


def test_inspect_with_a_value_the_api_does_not_take_is_its_422(people, keys, make_return):
    ret = return_to(make_return(), Status.RECEIVED)
    lines = {"line": "L1", "outcome": "kept", "condition": "as_new"}

    page = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/inspect", lines)
    api = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/inspect", {"lines": [lines]}, content_type="application/json"
    )

    assert _page_problem(page) == _escaped(_api_problem(api))
    assert "<code>form.lines.0.outcome</code>" in page.text


def test_approving_a_received_return_is_the_api_s_409(people, keys, make_return):
    ret = return_to(make_return(), Status.RECEIVED)

    page = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/approve")
    api = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/approve", {}, content_type="application/json")

    assert _page_problem(page) == _escaped(_api_problem(api))
    assert _page_problem(page)["code"] == "invalid_transition"


def test_warehouse_staff_forging_an_approve_get_the_transition_s_403(people, make_return):
    ret = make_return()

    response = people["seller_a_warehouse"].post(f"/seller/returns/{ret.code}/approve")

    ret.refresh_from_db()
    assert _page_problem(response) == {
        "status": 403,
        "code": "forbidden_action",
        "title": escape(ForbiddenAction.title),
        "detail": "Warehouse staff may receive and inspect returns, not approve them.",
    }
    assert ret.status == Status.REQUESTED


def test_a_refused_htmx_action_answers_the_main_part_with_the_problem(people, make_return):
    ret = return_to(make_return(), Status.RECEIVED)

    response = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/approve", headers=HTMX)

    assert response.status_code == 409
    assert "<html" not in response.text
    assert 'data-problem="invalid_transition"' in response.text
