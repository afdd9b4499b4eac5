"""The pages' edge: text holding a NUL character never reaches a page's queries (PostgreSQL cannot
store it), and a method a page does not take: the API's 422 and 405, as problem pages."""

from __future__ import annotations

import pytest

from returndesk.testing.portal_clients import staff_client

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/buyer/orders/O%00X/return", None),
        ("get", "/seller/?order_number=%00", None),
        ("get", "/agent/?q=a%00b", None),
        ("post", "/seller/returns/K7Q2XM4D9T306/reject", {"reason": "x\x00y"}),
        ("post", "/sign-in/", {"email": "a\x00@example.com", "password": "x"}),
    ],
)
def test_a_nul_character_in_a_page_request_is_the_apis_422(client, method, path, data):
    signed_in = staff_client("manager@s-a.example", "seller_manager", seller="S-A")

    answer = getattr(signed_in if path.startswith("/seller/") else client, method)(path, data)

    assert answer.status_code == 422
    assert 'data-problem="validation_error"' in answer.content.decode()
    assert "Text may not contain NUL characters." in answer.content.decode()


def test_the_api_says_the_same(client):
    answer = client.get("/api/v1/health?x=%00")

    assert (answer.status_code, answer.json()["detail"]) == (422, "Text may not contain NUL characters.")


def test_a_method_a_page_does_not_take_is_the_apis_405_as_a_problem_page(client):
    answer = client.get("/sign-out/")
    api = client.put("/api/v1/health")

    assert (answer.status_code, answer["Allow"]) == (405, "POST")
    assert 'data-problem="method_not_allowed"' in answer.content.decode()
    assert "This page takes POST, not GET." in answer.content.decode()
    assert api.json()["code"] == "method_not_allowed"
