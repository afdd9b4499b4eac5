"""The API's HTTP edge: limits, media types, strict bodies and queries, problem details for every
error answer, whoever wrote it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from returndesk.api import api
from returndesk.core.errors import ValidationFailed, error_for_status
from returndesk.core.idempotency import body_digest
from returndesk.core.middleware import ApiProblemsMiddleware
from returndesk.core.models import IdempotencyRecord, RateCounter
from returndesk.core.pagination import cursor_decode, cursor_encode
from returndesk.marketplace.models import Order
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.selectors import ReturnFilters
from returndesk.scenarios.payloads import NOW, order_payload

PROBLEM = "application/problem+json"
JSON = "application/json"
MIB = 1024 * 1024


def _problem(code: str, status: int, title: str, detail: str, errors: list | None = None) -> dict:
    body = {"type": f"urn:returndesk:problem:{code}", "title": title, "status": status, "detail": detail, "code": code}
    return body if errors is None else body | {"errors": errors}


def _events(ret: Return) -> list[str]:
    return list(ReturnEvent.objects.filter(return_request=ret).order_by("id").values_list("action", flat=True))


def _nothing_written(ret: Return) -> tuple[str, list[str], int]:
    return Return.objects.get(pk=ret.pk).status, _events(ret), IdempotencyRecord.objects.count()


# --- Body size (413) ---------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_problem_details(keys, make_order):
    order = make_order()
    body = {"order": order.external_id, "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]}
    body["lines"][0]["note"] = "x" * (3 * MIB)

    response = keys.client("platform").post("/api/v1/returns", body, content_type=JSON)

    assert (response.status_code, response["Content-Type"]) == (413, PROBLEM)
    assert response.json() == _problem(
        "payload_too_large",
        413,
        "The request body is too large",
        f"The request body may be at most {MIB} bytes; this one is {len(json.dumps(body))}.",
    )
    assert Return.objects.count() == 0


def test_the_size_is_decided_from_content_length_before_the_body_is_read(keys):
    # The test client's payload refuses reads past its real 2 bytes: reading would fail the test.
    response = keys.client("platform").post("/api/v1/orders", "{}", content_type=JSON, CONTENT_LENGTH=str(3 * MIB))

    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert Order.objects.count() == 0


def test_the_body_limit_is_a_setting_and_a_body_at_it_is_read(keys, make_return, settings):
    ret = make_return()
    body = json.dumps({"reason": "r" * 85})
    settings.RETURNDESK = settings.RETURNDESK | {"MAX_BODY_BYTES": len(body)}
    client, path = keys.client("seller_a"), f"/api/v1/returns/{ret.code}/reject"

    over = client.post(path, body + " ", content_type=JSON)
    at = client.post(path, body, content_type=JSON)

    assert (over.status_code, over.json()["code"], at.status_code) == (413, "payload_too_large", 200)
    assert _events(ret) == ["request", "reject"]


# --- Media type (415) and the NUL scan ---------------------------------------------------------


def test_a_body_that_is_not_json_is_415(keys):
    response = keys.client("platform").post("/api/v1/orders", json.dumps(order_payload()), content_type="text/plain")

    assert (response.status_code, response["Content-Type"]) == (415, PROBLEM)
    assert response.json() == _problem(
        "unsupported_media_type",
        415,
        "The request body must be JSON",
        "Send the body as JSON, with 'Content-Type: application/json'.",
    )
    assert Order.objects.count() == 0


def test_a_json_based_media_type_is_json(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/approve", "{}", content_type="application/vnd.returndesk+json"
    )

    assert (response.status_code, _events(ret)) == (200, ["request", "approve"])


def test_a_multipart_body_is_refused_unread_even_with_nul_bytes(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/reject", {"reason": "a\x00b"})

    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert _nothing_written(ret) == ("requested", ["request"], 0)


def test_a_bodiless_post_needs_no_media_type(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").generic("POST", f"/api/v1/returns/{ret.code}/approve")

    assert (response.status_code, _events(ret)) == (200, ["request", "approve"])


# --- Lone surrogates and the idempotency digest ------------------------------------------------


@pytest.mark.database
def test_a_lone_surrogate_with_an_idempotency_key_is_422_not_500(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/approve",
        '{"x":"\\udfff"}',
        content_type=JSON,
        headers={"Idempotency-Key": "k-1"},
    )

    assert (response.status_code, response.json()) == (
        422,
        _problem(
            "validation_error",
            422,
            "Some fields are invalid",
            "Text may not contain a lone surrogate escape (\\ud800 to \\udfff outside a pair).",
            [{"loc": ["body"], "msg": "lone surrogate", "type": "lone_surrogate"}],
        ),
    )
    assert _nothing_written(ret) == ("requested", ["request"], 0)


@pytest.mark.database
def test_a_surrogate_pair_is_text(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/reject", '{"reason":"\\ud83d\\udce6 damaged"}', content_type=JSON
    )

    assert (response.status_code, Return.objects.get(pk=ret.pk).events.last().reason) == (200, "\U0001f4e6 damaged")


def test_no_body_and_an_empty_object_are_the_same_idempotent_request(keys, make_return):
    ret = make_return()
    client, path = keys.client("seller_a"), f"/api/v1/returns/{ret.code}/approve"
    first = client.generic("POST", path, headers={"Idempotency-Key": "k-1"})

    repeat = client.post(path, "{}", content_type=JSON, headers={"Idempotency-Key": "k-1"})

    assert (first.status_code, repeat.status_code, repeat["Idempotent-Replayed"]) == (200, 200, "true")
    assert _events(ret) == ["request", "approve"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("body", "canonical"),
    [
        (b"", b"{}"),
        (b'{ "b": 1,\n "a": [true, null] }', b'{"a":[true,null],"b":1}'),
        ('{"note": "caf\u00e9"}'.encode(), '{"note":"caf\u00e9"}'.encode()),
        (b'{"x":"\\udfff"}', b'{"x":"\xed\xbf\xbf"}'),
        (b"reason=a%00b", b"reason=a%00b"),
        (b"\xff\xfe{", b"\xff\xfe{"),
        (b"[" * 100_000, b"[" * 100_000),
    ],
    ids=["empty", "canonical", "unicode", "lone_surrogate", "form", "not_utf8", "too_deep"],
)
def test_the_body_digest_never_fails(body, canonical):
    assert body_digest(body) == _sha256(canonical)


# --- Unknown and repeated query parameters -----------------------------------------------------


def test_an_unknown_query_parameter_is_422(keys):
    response = keys.client("platform").get("/api/v1/returns?colour=red")

    assert (response.status_code, response.json()) == (
        422,
        _problem(
            "validation_error",
            422,
            "Some fields are invalid",
            "Unknown or repeated query parameters: 'colour'.",
            [{"loc": ["query", "colour"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}],
        ),
    )


def _line_return(ret: Return) -> dict:
    return {"order": ret.order.external_id, "lines": [{"line": "L2", "quantity": 1, "reason": "defective"}]}


@pytest.mark.parametrize(
    ("key", "path", "body"),
    [
        ("platform", "/api/v1/orders/{order}", None),
        ("platform", "/api/v1/returns/{code}", None),
        ("carrier", "/api/v1/codes/{code}", None),
        ("platform", "/api/v1/orders", lambda ret: order_payload()),
        ("platform", "/api/v1/returns", _line_return),
        ("seller_a", "/api/v1/returns/{code}/approve", lambda ret: {}),
    ],
    ids=["order", "return", "verifier", "import", "open", "approve"],
)
def test_every_keyed_route_refuses_an_unknown_query_parameter_and_does_nothing(keys, make_return, key, path, body):
    ret = make_return()
    url, client = path.format(order=ret.order.external_id, code=ret.code) + "?verbose=1", keys.client(key)

    response = client.get(url) if body is None else client.post(url, body(ret), content_type=JSON)

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"loc": ["query", "verbose"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}],
    )
    assert (Order.objects.count(), Return.objects.count(), RateCounter.objects.count()) == (1, 1, 0)
    assert _nothing_written(ret) == ("requested", ["request"], 0)


def test_a_single_valued_parameter_given_twice_is_422(keys):
    response = keys.client("platform").get("/api/v1/returns?status=approved&status=rejected")

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"loc": ["query", "status"], "msg": "Give this parameter once", "type": "repeated_parameter"}],
    )


def test_the_key_is_checked_before_the_query(keys):
    response = keys.client(None).get("/api/v1/returns?colour=red")

    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_health_takes_any_query(client, db):
    response = client.get("/api/v1/health?probe=1&probe=2")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


# --- Cursors (core/pagination.py) --------------------------------------------------------------

_INVALID_CURSOR = [{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "invalid_cursor"}]


@pytest.mark.database
@pytest.mark.parametrize("created_at", [datetime(9999, 12, 31, tzinfo=UTC), datetime(1969, 12, 31, tzinfo=UTC)])
def test_a_cursor_dated_outside_1970_to_2200_is_422(keys, make_return, created_at):
    make_return()
    cursor = cursor_encode(created_at, 1, filters=ReturnFilters())

    response = keys.client("platform").get("/api/v1/returns", {"cursor": cursor})

    assert (response.status_code, response.json()["detail"], response.json()["errors"]) == (
        422,
        "The cursor is not one this API issued.",
        _INVALID_CURSOR,
    )


@pytest.mark.database
def test_a_cursor_read_under_other_filters_is_422(keys, make_return):
    for _ in range(2):
        services.return_approve(code=make_return().code, actor=keys.actors["seller_a"])
    client = keys.client("platform")
    cursor = client.get("/api/v1/returns", {"status": "approved", "limit": 1}).json()["next_cursor"]

    response = client.get("/api/v1/returns", {"status": "rejected", "limit": 1, "cursor": cursor})

    assert (response.status_code, response.json()["detail"], response.json()["errors"]) == (
        422,
        "The cursor belongs to a list read with other filters; start again without it.",
        _INVALID_CURSOR,
    )


def test_a_cursor_decodes_only_under_the_filters_it_was_issued_for():
    approved, rejected = ReturnFilters(status=Status.APPROVED), ReturnFilters(status=Status.REJECTED)
    cursor = cursor_encode(NOW, 7, filters=approved)

    with pytest.raises(ValidationFailed) as refused:
        cursor_decode(cursor, filters=rejected)

    assert (cursor_decode(cursor, filters=approved), refused.value.errors) == ((NOW, 7), _INVALID_CURSOR)


# --- Strict bodies -----------------------------------------------------------------------------


def test_an_unknown_body_field_is_422_and_opens_nothing(keys, make_order):
    order = make_order()
    body = {"order": order.external_id, "lines": [{"line": "L1", "quantity": 1, "reason": "defective", "notes": "x"}]}

    response = keys.client("platform").post("/api/v1/returns", body, content_type=JSON)

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [
            {
                "loc": ["body", "payload", "lines", 0, "notes"],
                "msg": "Extra inputs are not permitted",
                "type": "extra_forbidden",
            }
        ],
    )
    assert Return.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (lambda p: p.update(colour="red"), ["colour"]),
        (lambda p: p["seller"]["return_address"].update(floor=3), ["seller", "return_address", "floor"]),
        (lambda p: p["buyer"].update(phone="1"), ["buyer", "phone"]),
        (lambda p: p["payments"][0].update(fee="0.10"), ["payments", 0, "fee"]),
        (lambda p: p["lines"][1].update(colour="red"), ["lines", 1, "colour"]),
    ],
    ids=["order", "address", "buyer", "payment", "line"],
)
def test_unknown_fields_are_refused_at_every_depth(keys, change, location):
    payload = order_payload()
    change(payload)

    response = keys.client("platform").post("/api/v1/orders", payload, content_type=JSON)

    assert (response.status_code, [error["loc"] for error in response.json()["errors"]]) == (
        422,
        [["body", "payload", *location]],
    )
    assert response.json()["errors"][0]["type"] == "extra_forbidden"
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("quantity", True, "int_type"),
        ("quantity", "1", "int_type"),
        ("quantity", 1.5, "int_type"),
        ("weight_g", "500", "int_type"),
        ("final_sale", "false", "bool_type"),
        ("final_sale", 0, "bool_type"),
    ],
)
def test_integers_and_booleans_are_strict(keys, field, value, kind):
    payload = order_payload()
    payload["lines"][0][field] = value

    response = keys.client("platform").post("/api/v1/orders", payload, content_type=JSON)

    assert (response.status_code, response.json()["errors"][0]["loc"], response.json()["errors"][0]["type"]) == (
        422,
        ["body", "payload", "lines", 0, field],
        kind,
    )
    assert Order.objects.count() == 0


def test_a_number_with_a_zero_fraction_is_an_integer_as_in_json_schema(keys):
    payload = order_payload()
    payload["lines"][0]["quantity"] = 2.0

    response = keys.client("platform").post("/api/v1/orders", payload, content_type=JSON)

    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["quantity"] == 2


@pytest.mark.parametrize("quantity", [True, "1"], ids=["true", "string"])
def test_a_return_quantity_is_a_json_integer(keys, make_order, quantity):
    order = make_order()
    body = {"order": order.external_id, "lines": [{"line": "L1", "quantity": quantity, "reason": "defective"}]}

    response = keys.client("platform").post("/api/v1/returns", body, content_type=JSON)

    assert (response.status_code, response.json()["errors"][0]["loc"], response.json()["errors"][0]["type"]) == (
        422,
        ["body", "payload", "lines", 0, "quantity"],
        "int_type",
    )
    assert Return.objects.count() == 0


def test_an_action_without_fields_refuses_any(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/approve", {"force": True}, content_type=JSON)

    assert (response.status_code, response.json()["errors"][0]["type"]) == (422, "extra_forbidden")
    assert _nothing_written(ret) == ("requested", ["request"], 0)


# --- A body that is JSON but not an object -----------------------------------------------------


@pytest.mark.parametrize("body", ["[]", "1", '"order"', "null", "true"])
def test_a_body_that_is_not_an_object_is_one_error_at_body(keys, body):
    response = keys.client("platform").post("/api/v1/orders", body, content_type=JSON)

    assert (response.status_code, response.json()) == (
        422,
        _problem(
            "validation_error",
            422,
            "Some fields are invalid",
            "The request body must be a JSON object.",
            [{"loc": ["body"], "msg": "Input should be a JSON object", "type": "body_not_object"}],
        ),
    )
    assert Order.objects.count() == 0


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_an_empty_idempotency_key_is_an_invalid_length(keys):
    response = keys.client("platform").post(
        "/api/v1/orders", order_payload(), content_type=JSON, headers={"Idempotency-Key": ""}
    )

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"loc": ["header", "Idempotency-Key"], "msg": "invalid length", "type": "invalid_length"}],
    )
    assert (Order.objects.count(), IdempotencyRecord.objects.count()) == (0, 0)


# --- Ids, amounts, countries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (lambda p: p.update(external_id="NC/4"), ["external_id"]),
        (lambda p: p["lines"][0].update(external_id="L\t1"), ["lines", 0, "external_id"]),
        (lambda p: p["seller"].update(external_id="S\x7fA"), ["seller", "external_id"]),
        (lambda p: p["buyer"].update(external_id="B\u00851"), ["buyer", "external_id"]),
    ],
    ids=["slash", "tab", "delete", "c1_control"],
)
def test_ids_refuse_slashes_and_control_characters(keys, change, location):
    payload = order_payload()
    change(payload)

    response = keys.client("platform").post("/api/v1/orders", payload, content_type=JSON)

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [
            {
                "loc": ["body", "payload", *location],
                "msg": "Value error, an id may not contain '/' or control characters",
                "type": "value_error",
            }
        ],
    )
    assert Order.objects.count() == 0


@pytest.mark.parametrize("amount", ["1e3", "1E3", "1_000"])
def test_amounts_are_plain_decimals(keys, amount):
    response = keys.client("platform").post("/api/v1/orders", order_payload(shipping_amount=amount), content_type=JSON)

    assert (response.status_code, response.json()["errors"][0]["loc"], response.json()["errors"][0]["msg"]) == (
        422,
        ["body", "payload", "shipping_amount"],
        'Value error, an amount is written in plain decimal notation, like "1000.00" (no exponent)',
    )
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (lambda p: p["seller"].update(country="XX"), ["seller", "country"]),
        (lambda p: p["buyer"].update(country="zz"), ["buyer", "country"]),
        (lambda p: p["seller"]["return_address"].update(country="EU"), ["seller", "return_address", "country"]),
    ],
    ids=["seller", "buyer", "address"],
)
def test_countries_are_iso_3166_alpha_2(keys, change, location):
    payload = order_payload()
    change(payload)

    response = keys.client("platform").post("/api/v1/orders", payload, content_type=JSON)

    assert (response.status_code, response.json()["errors"][0]["loc"], response.json()["errors"][0]["type"]) == (
        422,
        ["body", "payload", *location],
        "value_error",
    )
    assert Order.objects.count() == 0


def test_a_lower_case_country_is_read_as_its_code(keys):
    payload = order_payload()
    payload["buyer"]["country"] = "es"

    response = keys.client("platform").post("/api/v1/orders", payload, content_type=JSON)

    assert (response.status_code, response.json()["buyer"]["country"]) == (201, "ES")


# --- Error answers nobody of ours wrote --------------------------------------------------------


def test_a_host_outside_allowed_hosts_is_problem_details(db):
    response = Client(headers={"Host": "attacker.example"}).get("/api/v1/health")

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response.json() == _problem(
        "disallowed_host",
        400,
        "This server does not answer for that host name",
        "The Host header names a host this server is not configured to answer for.",
    )


def test_a_path_and_query_over_4096_bytes_is_414(keys):
    path = "/api/v1/returns?seller="
    client = keys.client("platform")

    at_limit = client.get(path + "s" * (4096 - len(path)))
    over = client.get(path + "s" * (4097 - len(path)))

    assert (at_limit.status_code, over.status_code, over["Content-Type"]) == (200, 414, PROBLEM)
    assert over.json() == _problem(
        "uri_too_long",
        414,
        "The request's path and query are too long",
        "The path and query string may be at most 4096 bytes; these are 4097.",
    )


def test_head_is_answered_as_get_without_the_content(client, db):
    get, head = client.get("/api/v1/health"), client.head("/api/v1/health")

    assert (head.status_code, head["Content-Type"], head["Content-Length"], head.content) == (
        200,
        get["Content-Type"],
        str(len(get.content)),
        b"",
    )


def _answering(status: int, **headers: str):
    def get_response(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("<h1>Oops</h1>", status=status, content_type="text/html")
        for name, value in headers.items():
            response[name] = value
        return response

    return ApiProblemsMiddleware(get_response)


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (400, "bad_request", "Bad request"),
        (413, "payload_too_large", "The request body is too large"),
        (429, "too_many_requests", "Too Many Requests"),
        (502, "bad_gateway", "Bad Gateway"),
        (503, "service_unavailable", "Service Unavailable"),
        (599, "server_error", "Server error"),
    ],
)
def test_any_error_answer_under_the_api_becomes_problem_details(status, code, title):
    response = _answering(status, **{"Retry-After": "30"})(RequestFactory().get("/api/v1/returns"))

    assert (response.status_code, response["Content-Type"], response["Retry-After"]) == (status, PROBLEM, "30")
    assert (
        response.content
        == json.dumps(
            {"type": f"urn:returndesk:problem:{code}", "title": title, "status": status, "detail": title, "code": code},
            separators=(",", ":"),
        ).encode()
    )


def test_problem_details_are_compact_json(client, db):
    response = client.get("/api/v1/no-such-route")

    assert response.content == (
        b'{"type":"urn:returndesk:problem:not_found","title":"No such object","status":404,'
        b'"detail":"No such object","code":"not_found"}'
    )


def test_error_answers_outside_the_api_are_left_alone():
    response = _answering(503)(RequestFactory().get("/admin/"))

    assert (response.status_code, response["Content-Type"]) == (503, "text/html")


def test_error_classes_for_bare_statuses_are_made_once():
    assert (error_for_status(503) is error_for_status(503), error_for_status(503).status) == (True, 503)


# --- The OpenAPI document ----------------------------------------------------------------------


def test_the_openapi_document_is_built_once():
    assert api.get_openapi_schema() is api.get_openapi_schema()


BODY_METHODS = ("POST", "PUT", "PATCH")


def test_the_edge_refusals_are_declared_where_they_can_happen():
    declared = {
        (method.upper(), path): sorted(status for status in operation["responses"] if status in (413, 414, 415))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
    }

    assert declared == {
        route: [413, 414, 415]
        if route[0] in ("POST", "PUT", "PATCH")
        else []
        if route[1] == "/api/v1/health"
        else [414]
        for route in declared
    }
