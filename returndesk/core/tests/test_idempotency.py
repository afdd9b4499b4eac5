"""Idempotency-Key on POSTs that create things or move state: one effect, the first answer replayed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from returndesk.core.idempotency import idempotency_purge
from returndesk.core.models import IdempotencyRecord
from returndesk.marketplace.models import Order
from returndesk.returns import services
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.payloads import order_payload

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

PROBLEM = "application/problem+json"
KEEP = timedelta(hours=24)


def _post(client, path: str, body: Any, key: str = "key-1"):
    """POST ``body`` (a dict, or JSON text sent as is) with an Idempotency-Key."""
    return client.post(path, body, content_type="application/json", headers={"Idempotency-Key": key})


def _events(ret: Return) -> list[str]:
    return list(ReturnEvent.objects.filter(return_request=ret).order_by("id").values_list("action", flat=True))


def _age_records(by: timedelta) -> None:
    IdempotencyRecord.objects.update(created_at=timezone.now() - by)


# --- Replays -----------------------------------------------------------------------------------


def test_repeated_order_import_replays_the_first_answer(keys):
    client, payload = keys.client("platform"), order_payload(external_id="O-IDEM")
    first = _post(client, "/api/v1/orders", payload)

    repeat = _post(client, "/api/v1/orders", payload)

    assert (first.status_code, first.has_header("Idempotent-Replayed")) == (201, False)
    assert (repeat.status_code, repeat["Idempotent-Replayed"], repeat["Content-Type"]) == (
        201,
        "true",
        "application/json",
    )
    assert repeat.content == first.content
    assert (Order.objects.count(), IdempotencyRecord.objects.count()) == (1, 1)


def test_repeated_approval_replays_and_appends_no_second_event(keys, make_return):
    ret = make_return()
    client, path = keys.client("seller_a"), f"/api/v1/returns/{ret.code}/approve"
    first = _post(client, path, {})

    repeat = _post(client, path, {})

    assert (first.status_code, repeat.status_code, repeat["Idempotent-Replayed"]) == (200, 200, "true")
    assert repeat.content == first.content
    assert _events(ret) == ["request", "approve"]


def test_repeated_return_opening_opens_one_return(keys, make_order):
    now = timezone.now()
    order = make_order(delivered_at=now - timedelta(days=1), now=now)
    body = {"order": order.external_id, "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]}
    client = keys.client("platform")
    first = _post(client, "/api/v1/returns", body)

    repeat = _post(client, "/api/v1/returns", body)

    assert (first.status_code, repeat.status_code, repeat["Idempotent-Replayed"]) == (201, 201, "true")
    assert repeat.content == first.content
    assert list(Return.objects.values_list("code", flat=True)) == [first.json()["code"]]


def test_the_same_body_with_keys_reordered_and_spaced_differently_replays(keys):
    client, payload = keys.client("platform"), order_payload()
    assert list(payload)[:2] == ["external_id", "number"]
    first = _post(client, "/api/v1/orders", json.dumps(payload))

    repeat = _post(client, "/api/v1/orders", json.dumps(payload, sort_keys=True, indent=2))

    assert (repeat.status_code, repeat["Idempotent-Replayed"], repeat.content) == (201, "true", first.content)
    assert Order.objects.count() == 1


def test_a_different_body_under_the_same_key_is_refused_and_changes_nothing(keys):
    client, payload = keys.client("platform"), order_payload(external_id="O-FIRST")
    _post(client, "/api/v1/orders", payload)

    response = _post(client, "/api/v1/orders", {**payload, "number": "N-OTHER"})

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json() == {
        "type": "urn:returndesk:problem:idempotency_key_reused",
        "title": "This Idempotency-Key was used with a different body",
        "status": 422,
        "detail": "The Idempotency-Key 'key-1' was first used with a different request body.",
        "code": "idempotency_key_reused",
    }
    assert list(Order.objects.values_list("external_id", "number")) == [("O-FIRST", payload["number"])]


def test_a_business_error_is_recorded_and_replayed(keys, make_return):
    ret = make_return()
    services.return_approve(code=ret.code, actor=keys.actors["seller_a"])
    client, path = keys.client("seller_a"), f"/api/v1/returns/{ret.code}/approve"
    first = _post(client, path, {})

    repeat = _post(client, path, {})

    assert (first.status_code, first.json()["code"]) == (409, "invalid_transition")
    assert (repeat.status_code, repeat["Content-Type"], repeat["Idempotent-Replayed"]) == (409, PROBLEM, "true")
    assert repeat.content == first.content
    assert list(IdempotencyRecord.objects.values_list("status_code", flat=True)) == [409]
    assert _events(ret) == ["request", "approve"]


def test_without_a_key_every_request_runs(keys):
    client, payload = keys.client("platform"), order_payload()

    statuses = [client.post("/api/v1/orders", payload, content_type="application/json").status_code for _ in range(2)]

    assert (statuses, IdempotencyRecord.objects.count()) == ([201, 200], 0)


def test_an_overlong_key_is_refused(keys):
    response = _post(keys.client("platform"), "/api/v1/orders", order_payload(), key="k" * 256)

    assert (response.status_code, response.json()["code"], response.json()["errors"]) == (
        422,
        "validation_error",
        [{"loc": ["header", "Idempotency-Key"], "msg": "invalid length", "type": "invalid_length"}],
    )
    assert Order.objects.count() == 0


# --- Scope -------------------------------------------------------------------------------------


def test_keys_are_scoped_per_api_key(keys):
    keys.make("platform_2", role="platform")
    payload = order_payload()
    _post(keys.client("platform"), "/api/v1/orders", payload)

    other = _post(keys.client("platform_2"), "/api/v1/orders", payload)

    assert (other.status_code, other.has_header("Idempotent-Replayed")) == (200, False)
    assert IdempotencyRecord.objects.count() == 2


def test_another_sellers_key_never_gets_the_replay(keys, make_return):
    ret = make_return()
    path = f"/api/v1/returns/{ret.code}/approve"
    _post(keys.client("seller_a"), path, {})

    other = _post(keys.client("seller_b"), path, {})

    assert (other.status_code, other.json()["code"], other.has_header("Idempotent-Replayed")) == (
        404,
        "not_found",
        False,
    )


def test_keys_are_scoped_per_path(keys, make_return):
    first_return, second_return = make_return(), make_return()
    client = keys.client("seller_a")

    first = _post(client, f"/api/v1/returns/{first_return.code}/approve", {})
    second = _post(client, f"/api/v1/returns/{second_return.code}/approve", {})

    assert (first.json()["code"], second.json()["code"]) == (first_return.code, second_return.code)
    assert second.has_header("Idempotent-Replayed") is False
    assert list(Return.objects.order_by("id").values_list("status", flat=True)) == [Status.APPROVED] * 2


# --- Keeping time ------------------------------------------------------------------------------


def test_a_record_younger_than_24_hours_still_replays(keys):
    client, payload = keys.client("platform"), order_payload()
    _post(client, "/api/v1/orders", payload)
    _age_records(KEEP - timedelta(minutes=1))

    repeat = _post(client, "/api/v1/orders", payload)

    assert (repeat.status_code, repeat["Idempotent-Replayed"]) == (201, "true")


def test_a_record_older_than_24_hours_no_longer_replays(keys, make_return):
    ret = make_return()
    client, path = keys.client("seller_a"), f"/api/v1/returns/{ret.code}/approve"
    _post(client, path, {})
    _age_records(KEEP + timedelta(minutes=1))

    repeat = _post(client, path, {})

    assert (repeat.status_code, repeat.json()["code"], repeat.has_header("Idempotent-Replayed")) == (
        409,
        "invalid_transition",
        False,
    )
    assert list(IdempotencyRecord.objects.values_list("status_code", flat=True)) == [409]
    assert IdempotencyRecord.objects.get().created_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("older_than", "purged", "left"),
    [
        (None, 1, ["fresh"]),
        (timedelta(hours=1), 2, []),
    ],
    ids=["default_24h", "explicit"],
)
def test_idempotency_purge_deletes_old_records(keys, older_than, purged, left):
    client = keys.client("platform")
    _post(client, "/api/v1/orders", order_payload(), key="old")
    _age_records(KEEP + timedelta(minutes=1))
    _post(client, "/api/v1/orders", order_payload(), key="fresh")
    IdempotencyRecord.objects.filter(key="fresh").update(created_at=timezone.now() - timedelta(hours=2))

    assert idempotency_purge(older_than=older_than) == purged
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == left


def test_a_path_of_any_length_is_scoped_by_its_digest_and_replayed(keys):
    path = f"/api/v1/returns/{'X' * 3000}/approve"

    first = _post(keys.client("seller_a"), path, {})
    repeat = _post(keys.client("seller_a"), path, {})

    assert (first.status_code, first.json()["code"]) == (404, "not_found")
    assert (repeat.status_code, repeat.content, repeat["Idempotent-Replayed"]) == (404, first.content, "true")
    record = IdempotencyRecord.objects.get()
    assert (record.path, len(record.path_digest)) == (path, 64)


def test_a_retry_that_types_the_code_differently_is_the_same_request(make_return, keys):
    ret = make_return()
    client = keys.client("seller_a")

    first = _post(client, f"/api/v1/returns/{ret.code}/approve", {})
    retry = _post(client, f"/api/v1/returns/{codes.display(ret.code).lower()}/approve", {})

    assert (first.status_code, retry.status_code, retry.content, retry["Idempotent-Replayed"]) == (
        200,
        200,
        first.content,
        "true",
    )
    assert _events(ret) == ["request", "approve"]


# --- An effect's writes queued with the record (core.sql.writes_queued, PostgreSQL) ---------------


def _keyed_effect(ret: Return, *, at: Any, runs: list[int]) -> Any:
    """An effect writing one event, queued, answered 201; ``runs`` counts how often it ran."""
    from django.http import HttpResponse

    from returndesk.core.sql import queue_insert

    def produce() -> HttpResponse:
        runs.append(1)
        queue_insert([ReturnEvent(return_request=ret, at=at, actor_kind="system", actor_id="t", action="anomaly")])
        return HttpResponse(b'{"done": true}', status=201, content_type="application/json")

    return produce


def _idempotent_post(produce: Any) -> Any:
    from django.test import RequestFactory

    from returndesk.core.actors import Actor, ActorKind
    from returndesk.core.idempotency import idempotent

    request = RequestFactory().post("/effect", {}, content_type="application/json", headers={"Idempotency-Key": "k"})
    return idempotent(request, Actor(kind=ActorKind.PLATFORM, id="test"), produce, read_first=False)


def test_a_repeat_not_read_first_rolls_its_queued_effect_back_and_replays(make_return):
    ret, runs = make_return(), []

    first = _idempotent_post(_keyed_effect(ret, at=timezone.now(), runs=runs))
    again = _idempotent_post(_keyed_effect(ret, at=timezone.now(), runs=runs))

    assert (first.status_code, again.status_code, again.content) == (201, 201, first.content)
    # The repeat's effect ran and was rolled back with the record's insert, written with it.
    assert len(runs) == 2
    assert _events(ret).count("anomaly") == 1


def test_an_effect_row_the_database_refuses_is_an_error_not_a_repeat(make_return):
    from django.db import IntegrityError

    ret, runs = make_return(), []

    with pytest.raises(IntegrityError):
        _idempotent_post(_keyed_effect(ret, at=None, runs=runs))  # the event's "at" is NOT NULL

    assert len(runs) == 1
    assert not IdempotencyRecord.objects.exists()
    assert "anomaly" not in _events(ret)
