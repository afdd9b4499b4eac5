"""Every request body is a JSON object, and the OpenAPI schema says so.

Found by schemathesis: optional bodies (``payload: EmptyIn | None = None``) were declared as
"object or null", while the API answers a JSON ``null`` body 422 ``validation_error``.
"""

from __future__ import annotations

from returndesk.api import api

NULL = {"type": "null"}


def _body_schemas() -> dict[str, dict]:
    return {
        f"{method.upper()} {path}": content["schema"]
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        for content in operation.get("requestBody", {}).get("content", {}).values()
    }


def test_no_request_body_is_declared_as_possibly_null():
    offering_null = [name for name, schema in _body_schemas().items() if NULL in schema.get("anyOf", [])]

    assert offering_null == []


def test_an_optional_body_is_declared_as_its_object_and_may_be_left_out():
    approve = api.get_openapi_schema()["paths"]["/api/v1/returns/{code}/approve"]["post"]["requestBody"]

    assert approve == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmptyIn"}}},
        "required": False,
    }


def test_a_null_body_is_refused_as_not_an_object(keys, make_return):
    ret = make_return()

    response = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/approve", "null", content_type="application/json"
    )

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert response.json()["errors"] == [
        {"loc": ["body"], "msg": "Input should be a JSON object", "type": "body_not_object"}
    ]
