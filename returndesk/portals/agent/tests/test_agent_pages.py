"""Customer service: one search box (email, code, order number or id) and a return read-only with
its whole timeline."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client

from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.services import return_event_append
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, extension_queries
from returndesk.testing.portal_clients import staff_client

# Mixed case as imported (pydantic lower-cases only the domain); searched in another case.
EMAIL = "Ana.Ruiz@example.com"


@pytest.fixture
def agent(db) -> Client:
    return staff_client("agent@returndesk.example", "agent")


@pytest.fixture
def ana_order(make_order):
    return make_order(external_id="O-77", number="80000077", buyer=buyer_payload("B-ANA", name="Ana Ruiz", email=EMAIL))


@pytest.fixture
def ana_return(make_return, ana_order):
    return make_return(order=ana_order)


def rows(response) -> list[str]:
    """The codes of the result table's rows, in order."""
    return re.findall(r'<tr data-code="([0-9A-Z]+)"', response.text)


def problem_of(response) -> dict[str, str]:
    text = response.text
    return {
        "code": re.search(r'data-problem="([a-z_]+)"', text).group(1),
        "title": html.unescape(re.search(r'<h1 id="problem-title">(.*?)</h1>', text).group(1)),
        "detail": html.unescape(re.search(r"</h1>\s*<p>(.*?)</p>", text, re.S).group(1)),
    }


def test_the_search_box_is_labelled_and_focused(agent):
    page = agent.get("/agent/").text

    assert '<label for="agent-search">Code, tracking number, order number or email</label>' in page
    assert re.search(r'<input id="agent-search" name="q" type="search"[^>]*autofocus', page, re.S)
    assert '<button type="submit">Search</button>' in page


def test_an_email_in_any_case_finds_the_buyer_s_returns_newest_first(agent, make_return, ana_order, make_order):
    first = make_return(order=ana_order)
    second = make_return(order=ana_order, line="L2", now=NOW + timedelta(hours=1))
    make_return(order=make_order(buyer=buyer_payload("B-BEN", email="ben@example.com")))

    response = agent.get("/agent/", {"q": " ana.ruiz@EXAMPLE.com "})

    assert response.status_code == 200
    assert rows(response) == [second.code, first.code]
    assert 'data-search-by="email"' in response.text
    assert f'<tr data-code="{first.code}" data-status="requested">' in response.text
    assert "<td>Requested</td>" in response.text
    assert "<td>80000077 <small>(O-77)</small></td>" in response.text
    assert f"<td>Ana Ruiz<br><small>{EMAIL}</small></td>" in response.text
    assert '<div class="table-scroll"' in response.text


def test_an_order_number_then_an_order_id_finds_the_order_s_returns(agent, ana_return):
    by_number = agent.get("/agent/", {"q": "80000077"})
    by_id = agent.get("/agent/", {"q": "O-77"})
    neither = agent.get("/agent/", {"q": "O-78"})

    assert (rows(by_number), rows(by_id), rows(neither)) == ([ana_return.code], [ana_return.code], [])
    assert 'data-search-by="order_number"' in by_number.text
    assert 'data-search-by="order"' in by_id.text
    assert "Nothing matches." in neither.text


def test_a_code_however_typed_opens_its_return(agent, ana_return):
    typed = " ".join(codes.display(ana_return.code).lower().split("-"))

    response = agent.get("/agent/", {"q": typed})

    assert (response.status_code, response["Location"]) == (302, f"/agent/returns/{ana_return.code}")


def test_a_mistyped_code_offers_the_codes_one_slip_away(agent, ana_return):
    mistyped = ana_return.code[0] + ("0" if ana_return.code[1] != "0" else "1") + ana_return.code[2:]

    response = agent.get("/agent/", {"q": mistyped})

    assert response.status_code == 200
    assert 'data-search-by="code"' in response.text
    assert (
        f'<a href="/agent/returns/{ana_return.code}" data-suggestion="{ana_return.code}" class="return-code-inline">'
        f"Open {codes.display(ana_return.code)}</a>"
    ) in response.text


def test_a_search_lists_the_same_number_of_queries_for_1_and_20_returns(
    agent, make_return, make_order, django_assert_num_queries
):
    buyer = buyer_payload("B-MANY", email="many@example.com")
    make_return(order=make_order(buyer=buyer))
    # Session, user, membership; the page of returns with order, seller and buyer; lines; anomalies.
    with django_assert_num_queries(6 + extension_queries(detail=False)):
        one = agent.get("/agent/", {"q": "many@example.com"})
    for _ in range(19):
        make_return(order=make_order(buyer=buyer))
    with django_assert_num_queries(6 + extension_queries(detail=False)):
        twenty = agent.get("/agent/", {"q": "many@example.com"})

    assert (len(rows(one)), len(rows(twenty))) == (1, 20)


def test_an_order_search_costs_one_query_more_to_choose_the_field(agent, ana_return, django_assert_num_queries):
    with django_assert_num_queries(7 + extension_queries(detail=False)):
        agent.get("/agent/", {"q": "O-77"})


def test_the_next_page_continues_the_same_search(agent, make_return, make_order, settings, monkeypatch):
    from returndesk.portals.agent import views

    monkeypatch.setattr(views, "RETURNS_PER_PAGE", 2)
    buyer = buyer_payload("B-PAGES", email="pages@example.com")
    made = [make_return(order=make_order(buyer=buyer), now=NOW + timedelta(minutes=index)) for index in range(3)]

    first = agent.get("/agent/", {"q": "pages@example.com"})
    next_link = html.unescape(re.search(r'<a href="(\?[^"]+)" rel="next">', first.text).group(1))
    second = agent.get("/agent/" + next_link)

    assert rows(first) + rows(second) == [ret.code for ret in reversed(made)]
    assert 'rel="next"' not in second.text


def test_a_bad_cursor_is_the_api_s_422(agent, keys, ana_return):
    page = agent.get("/agent/", {"q": EMAIL, "cursor": "bm90LWEtY3Vyc29y"})
    api = keys.client("agent").get("/api/v1/returns", {"email": EMAIL, "cursor": "bm90LWEtY3Vyc29y"})

    assert (page.status_code, api.status_code) == (422, 422)
    assert problem_of(page) == {key: api.json()[key] for key in ("code", "title", "detail")}


def test_the_return_page_shows_order_buyer_deadline_and_only_re_send_code(agent, ana_return):
    response = agent.get(f"/agent/returns/{ana_return.code}")

    text = response.text
    assert response.status_code == 200
    assert f'<article data-code="{ana_return.code}" data-status="requested">' in text
    assert "<dd data-order-number>80000077</dd>" in text
    assert "<dd data-buyer-name>Ana Ruiz</dd>" in text
    assert f">{EMAIL}</a></dd>" in text
    assert "<dd data-next-deadline>Approved automatically on " in text
    assert "<p>None recorded.</p>" in text
    # The header's Sign out, and Re-send code (the code is needed while the return is requested).
    assert re.findall(r'<form method="post" action="([^"]+)"', text) == [
        "/sign-out/",
        f"/agent/returns/{ana_return.code}/code-reminder",
    ]


def test_the_timeline_lists_every_event_the_api_lists_with_its_actor(agent, keys, make_return, make_order):
    ret = return_to(make_return(), Status.RECEIVED)
    api = keys.client("agent").get(f"/api/v1/returns/{ret.code}").json()

    text = agent.get(f"/agent/returns/{ret.code}").text

    timeline = text[text.index('<section aria-labelledby="timeline-heading"') :]
    assert '<h2 id="timeline-heading">Timeline</h2>' in timeline
    assert re.findall(r'<li data-event="(\d+)" data-action="([a-z_]+)">', timeline) == [
        (str(event["id"]), event["action"]) for event in api["timeline"]
    ]
    actors = re.findall(r'<dd data-actor-kind="([a-z_]+)" data-actor-id="([^"]*)"', timeline)
    assert actors == [(event["actor"]["kind"], event["actor"]["id"]) for event in api["timeline"]]


def test_an_event_shows_who_acted_for_whom_its_reason_and_data(agent, make_return, keys):
    ret = make_return()
    return_event_append(
        ret=ret,
        actor=keys.actors["platform"].for_buyer("B-1"),
        action="note",
        at=NOW + timedelta(hours=1),
        reason="Buyer called <twice>",
        data={"channel": "phone", "minutes": 4},
    )

    text = agent.get(f"/agent/returns/{ret.code}").text

    assert 'data-on-behalf-of="B-1">platform <code>' in text
    assert "on behalf of <code>B-1</code>" in text
    assert "<dd data-event-reason>Buyer called &lt;twice&gt;</dd>" in text
    assert "&quot;channel&quot;: &quot;phone&quot;" in text
    assert "&quot;minutes&quot;: 4" in text


def test_the_return_page_costs_the_same_queries_for_1_and_20_events(
    agent, make_return, keys, django_assert_num_queries
):
    ret = make_return()
    # Session, user, membership; the return with order, seller and buyer; lines; anomalies; events.
    with django_assert_num_queries(7 + extension_queries()):
        agent.get(f"/agent/returns/{ret.code}")
    for minute in range(19):
        return_event_append(
            ret=ret,
            actor=keys.actors["agent"],
            action="note",
            at=NOW + timedelta(minutes=minute + 1),
            data={"n": minute},
        )
    with django_assert_num_queries(7 + extension_queries()):
        text = agent.get(f"/agent/returns/{ret.code}").text

    assert text.count("<li data-event=") == 20


def test_an_unknown_code_is_the_api_s_404(agent, keys, db):
    page = agent.get("/agent/returns/RD0000000001M")
    api = keys.client("agent").get("/api/v1/returns/RD0000000001M")

    assert (page.status_code, api.status_code) == (404, 404)
    assert problem_of(page) == {key: api.json()[key] for key in ("code", "title", "detail")}
