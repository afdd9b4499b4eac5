"""What every route of /api/v1 shares: open docs and health, problem details, the OpenAPI contract."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from returndesk.api import api
from returndesk.core.models import RateCounter
from returndesk.marketplace.models import Order
from returndesk.returns import services
from returndesk.returns.models import Return
from returndesk.testing import Keys

PROBLEM = "application/problem+json"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}


@dataclass(frozen=True)
class World:
    keys: Keys
    make_order: Callable[..., Order]
    make_return: Callable[..., Return]


@pytest.fixture
def world(keys: Keys, make_order: Callable[..., Order], make_return: Callable[..., Return]) -> World:
    return World(keys, make_order, make_return)


@pytest.fixture(scope="module")
def schema() -> dict:
    return api.get_openapi_schema()


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    """(method, path, operation) for every operation; response statuses are ints in this dict."""
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


# --- Open routes -------------------------------------------------------------------------------


def test_openapi_schema_is_served_without_a_key(client, db):
    response = client.get("/api/v1/openapi.json")

    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert (response.json()["info"]["title"], response.json()["info"]["version"]) == ("returndesk", "1")


def test_interactive_docs_are_served_without_a_key(client, db):
    response = client.get("/api/v1/docs")

    assert (response.status_code, response["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b"/api/v1/openapi.json" in response.content


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-key"}], ids=["no_key", "bad_key"])
def test_health_answers_ok_without_a_key_or_the_database(db, client, django_assert_num_queries, headers):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/health", headers=headers)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


# --- Problem details ---------------------------------------------------------------------------


def _malformed_json(world: World) -> HttpResponse:
    return world.keys.client("platform").post("/api/v1/orders", "{not json", content_type="application/json")


def _unauthenticated(world: World) -> HttpResponse:
    return world.keys.client(None).get("/api/v1/returns")


def _forbidden(world: World) -> HttpResponse:
    return world.keys.client("carrier").get("/api/v1/returns")


def _forbidden_action(world: World) -> HttpResponse:
    code = world.make_return().code
    return world.keys.client("agent").post(f"/api/v1/returns/{code}/approve", {}, content_type="application/json")


def _not_found(world: World) -> HttpResponse:
    return world.keys.client("seller_b").get(f"/api/v1/returns/{world.make_return().code}")


def _invalid_transition(world: World) -> HttpResponse:
    code = world.make_return().code
    services.return_cancel(code=code, actor=world.keys.actors["platform"])
    return world.keys.client("seller_a").post(f"/api/v1/returns/{code}/approve", {}, content_type="application/json")


def _validation_error(world: World) -> HttpResponse:
    return world.keys.client("platform").get("/api/v1/returns?limit=101")


def _quantity_exceeded(world: World) -> HttpResponse:
    """Two units of L1 asked for when another return holds one of its two."""
    now = timezone.now()
    ret = world.make_return(order=world.make_order(delivered_at=now - timedelta(days=1), now=now), line="L1", now=now)
    body = {"order": ret.order.external_id, "lines": [{"line": "L1", "quantity": 2, "reason": "defective"}]}
    return world.keys.client("platform").post("/api/v1/returns", body, content_type="application/json")


def _rate_limited(world: World) -> HttpResponse:
    # Failures already counted in this window and the next, so the minute may turn mid-test.
    start = timezone.now().replace(second=0, microsecond=0)
    RateCounter.objects.bulk_create(
        RateCounter(
            bucket=f"verify:key:{world.keys.actors['carrier'].id}",
            window_start=window,
            count=settings.RETURNDESK["VERIFY_FAILURES_PER_MINUTE"],
        )
        for window in (start, start + timedelta(minutes=1))
    )
    return world.keys.client("carrier").get("/api/v1/codes/0000000000000")


ERRORS = [
    pytest.param(_malformed_json, 400, "malformed_json", id="malformed_json"),
    pytest.param(_unauthenticated, 401, "unauthenticated", id="unauthenticated"),
    pytest.param(_forbidden, 403, "forbidden", id="forbidden"),
    pytest.param(_forbidden_action, 403, "forbidden_action", id="forbidden_action"),
    pytest.param(_not_found, 404, "not_found", id="not_found"),
    pytest.param(_invalid_transition, 409, "invalid_transition", id="invalid_transition"),
    pytest.param(_validation_error, 422, "validation_error", id="validation_error"),
    pytest.param(_quantity_exceeded, 422, "quantity_exceeded", id="quantity_exceeded"),
    pytest.param(_rate_limited, 429, "rate_limited", id="rate_limited"),
]


@pytest.mark.parametrize(("cause", "status", "code"), ERRORS)
def test_every_error_is_problem_details(world, cause, status, code):
    response = cause(world)
    body = response.json()

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert set(body) >= PROBLEM_MEMBERS
    assert (body["type"], body["status"], body["code"]) == (f"urn:returndesk:problem:{code}", status, code)
    assert (type(body["title"]), type(body["detail"]), body["title"] != "", body["detail"] != "") == (
        str,
        str,
        True,
        True,
    )


def test_rate_limited_says_when_to_retry(world):
    response = _rate_limited(world)

    assert int(response["Retry-After"]) == response.json()["retry_after"]
    assert 1 <= response.json()["retry_after"] <= 60


def test_validation_errors_list_each_invalid_field(keys):
    response = keys.client("platform").get("/api/v1/returns?limit=0&status=lost")

    assert response.json()["errors"] == [
        {
            "loc": ["query", "status"],
            "msg": "Input should be 'requested', 'approved', 'rejected', 'cancelled', 'expired', 'in_transit', "
            "'received', 'inspected', 'refunding', 'disputed', 'resolved' or 'closed'",
            "type": "enum",
        },
        {"loc": ["query", "limit"], "msg": "Input should be greater than or equal to 1", "type": "greater_than_equal"},
    ]


@pytest.mark.parametrize(
    "body", ["{not json", '{"reason": "x",}', b"\xff\xfe"], ids=["garbage", "trailing_comma", "not_utf8"]
)
def test_malformed_json_is_400_and_changes_nothing(keys, make_return, body):
    ret = make_return()

    response = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/reject", body, content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:malformed_json",
        "title": "The request body is not valid JSON",
        "status": 400,
        "detail": "The request body could not be parsed as JSON.",
        "code": "malformed_json",
    }
    assert (Return.objects.get(pk=ret.pk).status, ret.events.count()) == ("requested", 1)


def test_a_body_that_is_json_but_not_an_object_is_a_validation_error(keys):
    response = keys.client("platform").post("/api/v1/orders", "[]", content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert Order.objects.count() == 0


def test_an_unknown_api_path_is_problem_details(keys):
    response = keys.client("platform").get("/api/v1/no-such-route")

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert response.json()["code"] == "not_found"


def test_a_method_a_route_does_not_have_is_problem_details(keys):
    response = keys.client("platform").get("/api/v1/orders")

    assert (response.status_code, response["Content-Type"]) == (405, PROBLEM)
    assert response.json()["code"] == "method_not_allowed"


# --- The OpenAPI contract ----------------------------------------------------------------------


def test_the_schema_lists_every_route_of_the_contract(schema):
    assert sorted((method, path) for method, path, _ in _operations(schema)) == [
        ("GET", "/api/v1/codes/{code}"),
        ("GET", "/api/v1/dropoff-points"),
        ("GET", "/api/v1/dropoffs/{receipt_id}"),
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/keys/qr"),
        ("GET", "/api/v1/orders/{external_id}"),
        ("GET", "/api/v1/orders/{external_id}/returnable"),
        ("GET", "/api/v1/parcels"),
        ("GET", "/api/v1/parcels/{id}"),
        ("GET", "/api/v1/policies/versions/{version}"),
        ("GET", "/api/v1/policies/{seller}"),
        ("GET", "/api/v1/refunds/{id}"),
        ("GET", "/api/v1/returns"),
        ("GET", "/api/v1/returns/{code}"),
        ("GET", "/api/v1/returns/{code}/label.pdf"),
        ("GET", "/api/v1/returns/{code}/packing-slip.pdf"),
        ("GET", "/api/v1/returns/{code}/refunds"),
        ("GET", "/api/v1/staff"),
        ("PATCH", "/api/v1/staff/{staff_id}"),
        ("POST", "/api/v1/buyers/{external_id}/portal-links"),
        ("POST", "/api/v1/code-reminders"),
        ("POST", "/api/v1/dropoff-points"),
        ("POST", "/api/v1/dropoffs"),
        ("POST", "/api/v1/orders"),
        ("POST", "/api/v1/parcels"),
        ("POST", "/api/v1/parcels/{id}/match"),
        ("POST", "/api/v1/refunds/{id}/cancel"),
        ("POST", "/api/v1/refunds/{id}/confirm"),
        ("POST", "/api/v1/refunds/{id}/release"),
        ("POST", "/api/v1/refunds/{id}/retry"),
        ("POST", "/api/v1/returns"),
        ("POST", "/api/v1/returns/preview"),
        ("POST", "/api/v1/returns/{code}/accept_offer"),
        ("POST", "/api/v1/returns/{code}/approve"),
        ("POST", "/api/v1/returns/{code}/cancel"),
        ("POST", "/api/v1/returns/{code}/close"),
        ("POST", "/api/v1/returns/{code}/code-reminder"),
        ("POST", "/api/v1/returns/{code}/decline_offer"),
        ("POST", "/api/v1/returns/{code}/exchange"),
        ("POST", "/api/v1/returns/{code}/inspect"),
        ("POST", "/api/v1/returns/{code}/keep"),
        ("POST", "/api/v1/returns/{code}/offer"),
        ("POST", "/api/v1/returns/{code}/receive"),
        ("POST", "/api/v1/returns/{code}/refund"),
        ("POST", "/api/v1/returns/{code}/reject"),
        ("POST", "/api/v1/staff"),
        ("POST", "/api/v1/staff/{staff_id}/password"),
        ("POST", "/api/v1/tracking-events"),
        ("PUT", "/api/v1/policies/{seller}"),
    ]


# The routes that take no key (issue 7): everything else needs one.
OPEN_ROUTES = {"/api/v1/health", "/api/v1/keys/qr", "/api/v1/code-reminders"}


def test_every_operation_but_the_open_ones_needs_a_key_and_declares_401_and_422(schema):
    keyed = [
        (method, path, 401 in op["responses"], 422 in op["responses"], op.get("security"))
        for method, path, op in _operations(schema)
        if path not in OPEN_ROUTES
    ]

    assert keyed == [(method, path, True, True, [{"ApiKeyAuth": []}]) for method, path, *_ in keyed]


def test_health_needs_no_key_and_can_only_succeed(schema):
    health = schema["paths"]["/api/v1/health"]["get"]

    assert (health.get("security"), sorted(health["responses"])) == (None, [200])


def test_code_reminders_need_no_key_and_declare_the_edges_and_the_limit(schema):
    reminders = schema["paths"]["/api/v1/code-reminders"]["post"]

    assert (reminders.get("security"), sorted(reminders["responses"])) == (None, [202, 400, 413, 414, 415, 422, 429])


def test_every_post_declares_400_for_malformed_json(schema):
    posts = [(path, 400 in op["responses"]) for method, path, op in _operations(schema) if method == "POST"]

    assert posts == [(path, True) for path, _ in posts]


def test_error_responses_are_problem_json_and_successes_plain_json(schema):
    responses = [
        (path.endswith(".pdf"), int(status), tuple(response.get("content", {})))
        for _, path, op in _operations(schema)
        for status, response in op["responses"].items()
    ]

    assert {media for _, status, media in responses if status >= 400} == {(PROBLEM,)}
    assert {media for pdf, status, media in responses if status < 400 and not pdf} == {("application/json",)}
    # Labels and packing slips (``/returns/{code}/label.pdf``, ``.../packing-slip.pdf``) are PDFs.
    assert {media for pdf, status, media in responses if status < 400 and pdf} == {("application/pdf",)}


def test_the_problem_schema_has_the_rfc_9457_members_and_a_code(schema):
    problem = schema["components"]["schemas"]["ProblemOut"]

    assert set(problem["required"]) == PROBLEM_MEMBERS
    assert set(problem["properties"]) == PROBLEM_MEMBERS | {"errors"}


def test_interactive_docs_load_nothing_from_another_host(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)

    assert assets
    assert [asset for asset in assets if not asset.startswith("/")] == []
    assert {client.get(asset).status_code for asset in assets} == {200}
