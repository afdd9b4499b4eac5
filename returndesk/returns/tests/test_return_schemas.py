"""Out schemas read the ORM objects the selectors return, and higher apps extend a return's answer.

The exact answers are pinned by the API tests (test_read_api, test_order_import); here: the schemas
read prefetched objects without a query, and a registered extension shows up in every answer
about a return, in OpenAPI, and at the cost of its own prefetch only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Prefetch

from returndesk.marketplace.schemas import OrderOut
from returndesk.marketplace.selectors import order_get_for_actor
from returndesk.returns import selectors
from returndesk.returns.extensions import (
    ReturnExtension,
    return_extension_register,
    return_extension_unregister,
    return_extensions,
)
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.schemas import ReturnDetailOut, ReturnPageOut
from returndesk.scenarios.journeys import PLATFORM, order_placed, return_opened
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import NOW, extension_queries

pytestmark = pytest.mark.database


# --- Reading ORM objects --------------------------------------------------------------------------


def test_order_out_reads_the_prefetched_order_with_its_currencys_decimals(db: None, django_assert_num_queries):
    order_placed(
        external_id="O-JPY",
        currency="JPY",
        shipping_amount="500",
        lines=[line_payload("L1", quantity=2, unit_price="1200", paid_amount="2300")],
    )
    order = order_get_for_actor(external_id="O-JPY", actor=PLATFORM)

    with django_assert_num_queries(0):
        answer = OrderOut.model_validate(order).model_dump(mode="json")

    assert (answer["shipping_amount"], answer["payments"][0]["amount"]) == ("500", "2800")
    assert (answer["lines"][0]["unit_price"], answer["lines"][0]["paid_amount"]) == ("1200", "2300")


def test_return_detail_out_reads_the_selectors_return_without_a_query(db: None, django_assert_num_queries):
    ret = return_opened(order=order_placed(external_id="O-SEEN"))
    found = selectors.return_get_for_actor(code=ret.code, actor=PLATFORM, with_timeline=True)

    with django_assert_num_queries(0):
        answer = ReturnDetailOut.model_validate(found).model_dump(mode="json")

    assert (answer["order"], answer["buyer"], answer["lines"][0]["line"], answer["anomalies"]) == (
        "O-SEEN",
        "B-1",
        "L1",
        [],
    )
    assert [event["action"] for event in answer["timeline"]] == ["request"]


# --- Extensions -----------------------------------------------------------------------------------


def event_count(ret: Return) -> int:
    return len(ret.counted_events)  # type: ignore[attr-defined]


@pytest.fixture
def extended() -> Iterator[ReturnExtension]:
    """A throwaway member, as a higher app would register it in its ready(). Its relation is one the
    core answer prefetches too, so it prefetches into an attribute of its own."""
    counted = Prefetch("events", queryset=ReturnEvent.objects.only("id", "return_request"), to_attr="counted_events")
    extension = ReturnExtension(name="event_count", schema=int, resolve=event_count, prefetch=(counted,))
    return_extension_register(extension)
    yield extension
    return_extension_unregister(extension.name)


@pytest.mark.usefixtures("extended")
def test_a_registered_member_follows_the_core_members_of_a_return(keys: Any) -> None:
    ret = return_opened(order=order_placed())

    detail = keys.client("platform").get(f"/api/v1/returns/{ret.code}").json()
    page = keys.client("platform").get("/api/v1/returns").json()

    assert (list(detail)[-1], detail["event_count"]) == ("event_count", 1)
    assert [(item["code"], list(item)[-1], item["event_count"]) for item in page["items"]] == [
        (ret.code, "event_count", 1)
    ]


def test_without_the_registration_the_answer_has_only_the_core_members(keys: Any) -> None:
    ret = return_opened(order=order_placed())

    detail = keys.client("platform").get(f"/api/v1/returns/{ret.code}").json()

    # The core members, then those of the installed apps only.
    installed = [extension.name for extension in return_extensions()]
    assert (list(detail)[len(ReturnDetailOut.model_fields) :], "event_count" in detail) == (installed, False)


@pytest.mark.usefixtures("extended")
def test_openapi_documents_a_registered_member() -> None:
    schema = ReturnPageOut.model_json_schema(mode="serialization")
    item = schema["$defs"]["ReturnOut"]

    assert (item["properties"]["event_count"], "event_count" in item["required"]) == (
        {"type": "integer"},
        True,
    )
    assert "additionalProperties" not in item


@pytest.mark.usefixtures("extended")
@pytest.mark.parametrize("count", [2, 20])
def test_a_registered_prefetch_costs_one_query_whatever_the_page_size(keys, django_assert_num_queries, count):
    for index in range(count):
        return_opened(order=order_placed(), now=NOW + index * timedelta(minutes=1))
    client = keys.client("platform")
    client.get("/api/v1/returns")

    # The cached key, the page, its lines, its anomalies, and the extension's events.
    with django_assert_num_queries(3 + extension_queries()):
        response = client.get("/api/v1/returns")

    assert [item["event_count"] for item in response.json()["items"]] == [1] * count


@pytest.mark.usefixtures("extended")
@pytest.mark.parametrize("name", ["status", "timeline", "event_count"])
def test_a_member_may_not_shadow_another(name: str) -> None:
    with pytest.raises(ValueError, match=r"^A return's answer already has a member") as refused:
        return_extension_register(ReturnExtension(name=name, schema=int, resolve=event_count))

    assert str(refused.value) == f"A return's answer already has a member {name!r}."
