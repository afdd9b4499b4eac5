"""Staff members: the services, the createuser command and the platform's staff API."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from returndesk.accounts.errors import SellerNotFound, StaffExists
from returndesk.accounts.models import StaffMembership
from returndesk.accounts.services import staff_create, staff_password_reset, staff_update
from returndesk.core.errors import ValidationFailed
from returndesk.core.idempotency import HEADER
from returndesk.marketplace.models import Seller
from returndesk.testing import NOW, Keys

CALLERS = ["agent", "supervisor", "carrier", "seller_a"]


@pytest.fixture
def seller_a(keys: Keys) -> Seller:
    return Seller.objects.get(external_id="S-A")


def _staff_json(membership: StaffMembership) -> dict:
    return {
        "id": membership.user_id,
        "email": membership.user.username,
        "name": membership.name,
        "role": membership.role,
        "seller": membership.seller.external_id if membership.seller else None,
        "carrier": membership.carrier or None,
        "point_id": membership.point_id or None,
        "active": membership.user.is_active,
        "created_at": membership.created_at.isoformat().replace("+00:00", "Z"),
    }


# Services ------------------------------------------------------------------------------------


def test_staff_create_makes_a_user_named_by_the_lower_cased_address(seller_a):
    membership, password = staff_create(email=" Anna@Lumen.Example ", role="seller_manager", seller="S-A", name="Anna")

    user = get_user_model().objects.get(pk=membership.user_id)
    assert (user.username, user.email, user.is_active, user.is_staff) == (
        "anna@lumen.example",
        "anna@lumen.example",
        True,
        False,
    )
    assert user.check_password(password)
    assert len(password) == 20
    assert (membership.role, membership.seller, membership.name) == ("seller_manager", seller_a, "Anna")


def test_each_staff_member_gets_a_password_of_their_own(db):
    _, first = staff_create(email="a@x.example", role="agent")
    _, second = staff_create(email="b@x.example", role="agent")

    assert first != second


def test_counter_staff_name_their_carrier_and_point(db):
    membership, _ = staff_create(email="c@post.example", role="counter", carrier="demo-post", point_id="DEMO-1.a_b")

    assert (membership.carrier, membership.point_id, membership.seller) == ("demo-post", "DEMO-1.a_b", None)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"email": "not an address", "role": "agent"}, "email"),
        ({"email": "x" * 140 + "@lumen.example", "role": "agent"}, "email"),
        ({"email": "a@x.example", "role": "owner"}, "role"),
        ({"email": "a@x.example", "role": "seller_manager"}, "seller"),
        ({"email": "a@x.example", "role": "seller_warehouse"}, "seller"),
        ({"email": "a@x.example", "role": "agent", "seller": "S-A"}, "seller"),
        ({"email": "a@x.example", "role": "counter", "point_id": "P1"}, "carrier"),
        ({"email": "a@x.example", "role": "counter", "carrier": "Demo Post", "point_id": "P1"}, "carrier"),
        ({"email": "a@x.example", "role": "counter", "carrier": "demo-post"}, "point_id"),
        ({"email": "a@x.example", "role": "counter", "carrier": "demo-post", "point_id": "P 1"}, "point_id"),
        ({"email": "a@x.example", "role": "counter", "carrier": "demo-post", "point_id": "P" * 101}, "point_id"),
        ({"email": "a@x.example", "role": "supervisor", "carrier": "demo-post"}, "carrier"),
        ({"email": "a@x.example", "role": "agent", "point_id": "P1"}, "point_id"),
    ],
)
def test_staff_create_refuses_what_the_role_does_not_take(seller_a, arguments, field):
    with pytest.raises(ValidationFailed) as refused:
        staff_create(**arguments)

    assert refused.value.errors is not None
    assert refused.value.errors[0]["loc"] == ["body", "payload", field]
    assert not get_user_model().objects.exists()


def test_staff_create_refuses_an_unknown_seller(db):
    with pytest.raises(SellerNotFound):
        staff_create(email="a@x.example", role="seller_manager", seller="S-NOPE")

    assert not get_user_model().objects.exists()


def test_staff_create_refuses_an_address_in_use_in_any_case(db):
    staff_create(email="a@x.example", role="agent")

    with pytest.raises(StaffExists):
        staff_create(email="A@X.example", role="supervisor")

    assert StaffMembership.objects.get().role == "agent"


def test_staff_update_renames_and_deactivates(db):
    membership, _ = staff_create(email="a@x.example", role="agent", name="Old")

    updated = staff_update(staff_id=membership.user_id, name=" New ", active=False)

    assert (updated.name, updated.user.is_active) == ("New", False)
    assert not get_user_model().objects.get(pk=membership.user_id).is_active


def test_staff_password_reset_gives_a_new_password(db):
    membership, old = staff_create(email="a@x.example", role="agent")

    _, new = staff_password_reset(staff_id=membership.user_id)

    user = get_user_model().objects.get(pk=membership.user_id)
    assert (user.check_password(new), user.check_password(old)) == (True, False)


# createuser ----------------------------------------------------------------------------------


def _createuser(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createuser", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createuser_prints_the_password_alone_on_stdout(seller_a):
    out, err = _createuser("--email", "Manager@A.example", "--role", "seller_manager", "--seller", "S-A")

    user = get_user_model().objects.get(username="manager@a.example")
    assert user.check_password(out.strip())
    assert out == out.strip() + "\n"
    assert err == f"Created seller_manager manager@a.example (id {user.pk}).\n"


def test_createuser_makes_counter_staff(db):
    out, _ = _createuser("--email", "c@post.example", "--role", "counter", "--carrier", "demo-post", "--point", "P1")

    membership = StaffMembership.objects.get()
    assert (membership.carrier, membership.point_id) == ("demo-post", "P1")
    assert membership.user.check_password(out.strip())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "seller_manager", "--seller", "S-NOPE"], "No seller has the external id 'S-NOPE'."),
        (["--role", "agent", "--seller", "S-A"], "Only seller staff act for a seller; an agent does not."),
        (["--role", "counter", "--carrier", "demo-post"], "Counter staff name their drop-off point"),
    ],
)
def test_createuser_errors_name_the_problem(seller_a, args, message):
    with pytest.raises(CommandError, match=message):
        _createuser("--email", "a@x.example", *args)

    assert not StaffMembership.objects.exists()


def test_createuser_exits_1_with_the_error_on_stderr(db, capsys):
    from returndesk.accounts.management.commands.createuser import Command

    staff_create(email="a@x.example", role="agent")

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["returndesk", "createuser", "--email", "a@x.example", "--role", "agent"])

    captured = capsys.readouterr()
    assert exited.value.code == 1
    assert (captured.out, captured.err) == ("", "CommandError: A staff member already signs in as 'a@x.example'.\n")


# The API ---------------------------------------------------------------------------------------


def test_post_staff_creates_and_shows_the_password_once(keys, seller_a):
    answer = keys.client("platform").post(
        "/api/v1/staff",
        {"email": "Ward@A.example", "role": "seller_warehouse", "seller": "S-A", "name": "Ward"},
        content_type="application/json",
    )

    assert answer.status_code == 201
    membership = StaffMembership.objects.select_related("user", "seller").get()
    body = answer.json()
    assert body == {**_staff_json(membership), "password": body["password"]}
    assert body["email"] == "ward@a.example"
    assert membership.user.check_password(body["password"])


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"email": "a@x.example", "role": "seller_manager", "seller": "S-NOPE"}, 404, "seller_not_found"),
        ({"email": "a@x.example", "role": "seller_manager"}, 422, "validation_error"),
        ({"email": "a@x.example", "role": "boss"}, 422, "validation_error"),
        ({"email": "a@x.example", "role": "agent", "extra": 1}, 422, "validation_error"),
        ({"email": "nope", "role": "agent"}, 422, "validation_error"),
        ({"role": "agent"}, 422, "validation_error"),
    ],
)
def test_post_staff_refusals(keys, seller_a, payload, status, code):
    answer = keys.client("platform").post("/api/v1/staff", payload, content_type="application/json")

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert not StaffMembership.objects.exists()


def test_post_staff_conflict(keys):
    staff_create(email="a@x.example", role="agent")

    answer = keys.client("platform").post(
        "/api/v1/staff", {"email": "A@x.example", "role": "agent"}, content_type="application/json"
    )

    assert (answer.status_code, answer.json()["code"]) == (409, "staff_exists")


@pytest.mark.parametrize("caller", CALLERS)
def test_only_the_platform_manages_staff(keys, caller):
    membership, _ = staff_create(email="a@x.example", role="agent")
    client = keys.client(caller)

    answers = [
        client.post("/api/v1/staff", {"email": "b@x.example", "role": "agent"}, content_type="application/json"),
        client.get("/api/v1/staff"),
        client.patch(f"/api/v1/staff/{membership.user_id}", {"active": False}, content_type="application/json"),
        client.post(f"/api/v1/staff/{membership.user_id}/password", content_type="application/json"),
    ]

    assert [(answer.status_code, answer.json()["code"]) for answer in answers] == [(403, "forbidden")] * 4
    assert StaffMembership.objects.count() == 1
    assert get_user_model().objects.get(pk=membership.user_id).is_active


def test_without_a_key_staff_routes_are_401(db):
    assert Client().get("/api/v1/staff").status_code == 401


def test_get_staff_lists_by_email_a_page_at_a_time(keys, seller_a):
    for email in ["c@x.example", "a@x.example", "b@x.example"]:
        staff_create(email=email, role="agent")
    client = keys.client("platform")

    first = client.get("/api/v1/staff?limit=2").json()
    second = client.get(f"/api/v1/staff?limit=2&cursor={first['next_cursor']}").json()

    assert [item["email"] for item in first["items"]] == ["a@x.example", "b@x.example"]
    assert [item["email"] for item in second["items"]] == ["c@x.example"]
    assert second["next_cursor"] is None


def test_get_staff_filters_by_role_and_seller(keys, seller_a):
    staff_create(email="m@a.example", role="seller_manager", seller="S-A")
    staff_create(email="w@a.example", role="seller_warehouse", seller="S-A")
    staff_create(email="agent@x.example", role="agent")
    client = keys.client("platform")

    by_seller = client.get("/api/v1/staff?seller=S-A").json()["items"]
    by_role = client.get("/api/v1/staff?role=seller_warehouse&seller=S-A").json()["items"]

    assert [item["email"] for item in by_seller] == ["m@a.example", "w@a.example"]
    assert [item["email"] for item in by_role] == ["w@a.example"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "role=boss", "cursor=nonsense", "colour=red"])
def test_get_staff_refuses_bad_queries(keys, query):
    answer = keys.client("platform").get(f"/api/v1/staff?{query}")

    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")


def test_a_cursor_belongs_to_its_filters(keys):
    for email in ["a@x.example", "b@x.example"]:
        staff_create(email=email, role="agent")
    client = keys.client("platform")
    cursor = client.get("/api/v1/staff?limit=1").json()["next_cursor"]

    answer = client.get(f"/api/v1/staff?limit=1&role=agent&cursor={cursor}")

    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")


@pytest.mark.parametrize("rows", [1, 20])
def test_get_staff_reads_one_query_whatever_the_page(keys, seller_a, rows, django_assert_num_queries):
    for index in range(rows):
        staff_create(email=f"s{index:02}@a.example", role="seller_manager", seller="S-A")
    client = keys.client("platform")
    client.get("/api/v1/staff")  # the key is cached from here on

    with django_assert_num_queries(1):
        answer = client.get("/api/v1/staff")

    assert len(answer.json()["items"]) == rows


def test_patch_staff(keys):
    membership, _ = staff_create(email="a@x.example", role="agent", name="Old")
    client = keys.client("platform")

    renamed = client.patch(f"/api/v1/staff/{membership.user_id}", {"name": "New"}, content_type="application/json")
    deactivated = client.patch(
        f"/api/v1/staff/{membership.user_id}", {"active": False}, content_type="application/json"
    )

    assert (renamed.status_code, renamed.json()["name"], renamed.json()["active"]) == (200, "New", True)
    assert (deactivated.status_code, deactivated.json()["name"], deactivated.json()["active"]) == (200, "New", False)


@pytest.mark.parametrize(
    ("path", "payload", "status", "code"),
    [
        ("/api/v1/staff/999999", {"name": "x"}, 404, "not_found"),
        ("/api/v1/staff/{id}", {"active": "no"}, 422, "validation_error"),
        ("/api/v1/staff/{id}", {"role": "supervisor"}, 422, "validation_error"),
        ("/api/v1/staff/99999999999999999999", {"name": "x"}, 422, "validation_error"),
    ],
)
def test_patch_staff_refusals(keys, path, payload, status, code):
    membership, _ = staff_create(email="a@x.example", role="agent", name="Old")

    answer = keys.client("platform").patch(path.format(id=membership.user_id), payload, content_type="application/json")

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert StaffMembership.objects.get().name == "Old"


def test_password_reset_route(keys):
    membership, old = staff_create(email="a@x.example", role="agent")

    answer = keys.client("platform").post(
        f"/api/v1/staff/{membership.user_id}/password", content_type="application/json"
    )

    body = answer.json()
    user = get_user_model().objects.get(pk=membership.user_id)
    assert answer.status_code == 200
    assert (user.check_password(body["password"]), user.check_password(old)) == (True, False)
    assert (
        keys.client("platform").post("/api/v1/staff/999999/password", content_type="application/json").status_code
        == 404
    )


def test_an_idempotent_repeat_of_a_secret_answer_is_refused_not_replayed(keys):
    client = keys.client("platform")
    send = {"content_type": "application/json", "headers": {HEADER: "k1"}}

    first = client.post("/api/v1/staff", {"email": "a@x.example", "role": "agent"}, **send)
    again = client.post("/api/v1/staff", {"email": "a@x.example", "role": "agent"}, **send)

    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "idempotent_answer_withheld")
    assert first.json()["password"] not in again.content.decode()
    assert StaffMembership.objects.count() == 1


def test_an_idempotent_refusal_of_a_secret_route_replays(keys):
    client = keys.client("platform")
    send = {"content_type": "application/json", "headers": {HEADER: "k2"}}
    payload = {"email": "a@x.example", "role": "seller_manager", "seller": "S-NOPE"}

    first = client.post("/api/v1/staff", payload, **send)
    again = client.post("/api/v1/staff", payload, **send)

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (404, 404, "true")


def test_the_openapi_document_declares_every_status(keys):
    paths = keys.client(None).get("/api/v1/openapi.json").json()["paths"]

    assert sorted(paths["/api/v1/staff"]["post"]["responses"]) == [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "414",
        "415",
        "422",
    ]
    assert sorted(paths["/api/v1/staff"]["get"]["responses"]) == ["200", "401", "403", "414", "422"]
    assert sorted(paths["/api/v1/staff/{staff_id}"]["patch"]["responses"]) == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "413",
        "414",
        "415",
        "422",
    ]
    assert sorted(paths["/api/v1/staff/{staff_id}/password"]["post"]["responses"]) == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "414",
        "415",
        "422",
    ]


def test_created_at_is_the_clock(db):
    from returndesk.testing import frozen_clock

    with frozen_clock(NOW):
        membership, _ = staff_create(email="a@x.example", role="agent")

    assert membership.created_at == NOW
