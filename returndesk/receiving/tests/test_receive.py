"""The extended receive: the scan of the code, the items scanned, the tally, the anomalies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from returndesk.core.errors import InvalidTransition
from returndesk.receiving.domain.tally import Reported, Scan, ScanKey
from returndesk.receiving.errors import ScanMismatch
from returndesk.receiving.models import Receiving
from returndesk.receiving.services import receiving_record
from returndesk.receiving.tests.conftest import LAMP_GTIN
from returndesk.returns.domain import codes
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.errors import LineNotInReturn
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent
from returndesk.testing import NOW, iso

pytestmark = pytest.mark.django_db
AT = NOW + timedelta(days=2)
JSON = "application/json"


def state(ret: Return) -> dict[str, Any]:
    """Everything a receipt writes about ``ret``."""
    ret.refresh_from_db()
    return {
        "status": ret.status,
        "parcel_recorded": ret.parcel_recorded,
        "events": list(ReturnEvent.objects.filter(return_request=ret).values_list("id", flat=True)),
        "anomalies": list(ReturnAnomaly.objects.filter(return_request=ret).values()),
        "receivings": list(Receiving.objects.filter(return_request=ret).values()),
    }


def receive(ret: Return, keys, **kwargs: Any) -> Return:
    return receiving_record(code=ret.code, actor=keys.actors["seller_a"], now=AT, **kwargs)


def test_no_items_scanned_means_everything_arrived(boxed, keys):
    ret = receive(boxed(), keys, note="Box intact")

    assert (ret.status, ret.parcel_recorded) == (Status.RECEIVED, True)
    assert list(Receiving.objects.filter(return_request=ret).values("at", "lines", "unmatched")) == [
        {
            "at": AT,
            "lines": [
                {"line": "L1", "expected": 2, "scanned": 2, "result": "ok"},
                {"line": "L2", "expected": 1, "scanned": 1, "result": "ok"},
            ],
            "unmatched": [],
        }
    ]
    assert ReturnAnomaly.objects.filter(return_request=ret).count() == 0
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert (event.action, event.reason, event.at) == ("receive", "Box intact", AT)


def test_a_short_line_a_surplus_and_a_wrong_item_are_anomalies_each_with_an_event(boxed, keys):
    ret = receive(
        boxed(),
        keys,
        scans=[
            Scan(ScanKey.GTIN, "0" + LAMP_GTIN),
            Scan(ScanKey.SKU, "sku-2", 2),
            Scan(ScanKey.ITEM, "WRONG-SKU\n"),
        ],
    )

    rows = ReturnAnomaly.objects.filter(return_request=ret).order_by("id")
    assert [(row.code, row.line and row.line.order_line.external_id, row.at, row.source, row.data) for row in rows] == [
        ("short", "L1", AT, "receive", {"sku": "SKU-1", "gtin": LAMP_GTIN, "expected": 2, "scanned": 1}),
        ("extra", "L2", AT, "receive", {"sku": "SKU-2", "gtin": None, "expected": 1, "scanned": 2}),
        ("item_mismatch", None, AT, "receive", {"sku": None, "gtin": None, "item": "WRONG-SKU", "quantity": 1}),
    ]
    events = ReturnEvent.objects.filter(return_request=ret).order_by("id")
    assert [(event.action, event.from_status, event.to_status, event.data.get("code")) for event in events][-4:] == [
        ("receive", "approved", "received", None),
        ("anomaly", "received", "received", "short"),
        ("anomaly", "received", "received", "extra"),
        ("anomaly", "received", "received", "item_mismatch"),
    ]
    assert events.last().data == {
        "code": "item_mismatch",
        "line": None,
        "sku": None,
        "gtin": None,
        "item": "WRONG-SKU",
        "quantity": 1,
    }


def test_reported_anomalies_are_recorded_with_their_notes(boxed, keys):
    ret = receive(
        boxed(),
        keys,
        reported=[Reported(Anomaly.DAMAGED_ON_RETURN, "L1", "Glass cracked"), Reported(Anomaly.EMPTY_BOX)],
    )

    assert list(
        ReturnAnomaly.objects.filter(return_request=ret).order_by("id").values_list("code", "line__id", "note")
    ) == [
        ("damaged_on_return", ret.lines.get(order_line__external_id="L1").pk, "Glass cracked"),
        ("empty_box", None, ""),
    ]


def test_a_scan_of_the_code_in_any_case_with_hyphens_and_a_newline_is_accepted(boxed, keys):
    ret = boxed()

    received = receive(ret, keys, scan=codes.display(ret.code).lower() + "\n")

    assert received.status == Status.RECEIVED


def test_a_scan_of_another_code_is_refused_and_changes_nothing(boxed, keys):
    ret, other = boxed(), boxed()
    before = state(ret)

    with pytest.raises(ScanMismatch) as refused:
        receive(ret, keys, scan=other.code)

    assert (refused.value.status, refused.value.code) == (422, "scan_mismatch")
    assert state(ret) == before


def test_an_anomaly_on_a_line_not_on_the_return_is_refused_and_changes_nothing(boxed, keys):
    ret = boxed()
    before = state(ret)

    with pytest.raises(LineNotInReturn):
        receive(ret, keys, reported=[Reported(Anomaly.DAMAGED_ON_RETURN, "L9")])

    assert state(ret) == before


def test_a_return_received_already_is_an_invalid_transition(boxed, keys):
    ret = receive(boxed(), keys)
    before = state(ret)

    with pytest.raises(InvalidTransition):
        receive(ret, keys, scans=[Scan(ScanKey.SKU, "SKU-1")])

    assert state(ret) == before


@pytest.mark.parametrize("status", [Status.IN_TRANSIT, Status.EXPIRED])
def test_in_transit_and_expired_returns_are_received_too(boxed, keys, status):
    assert receive(boxed(status=status), keys).status == Status.RECEIVED


# --- Through the API ---------------------------------------------------------------------------


def post(keys, ret: Return, body: Any, caller: str = "seller_a"):
    return keys.client(caller).post(f"/api/v1/returns/{ret.code}/receive", body, content_type=JSON)


@pytest.mark.parametrize("body", [{}, {"note": "Tape torn"}])
def test_api_the_core_bodies_still_answer_200(boxed, keys, body):
    response = post(keys, boxed(), body)

    assert (response.status_code, response.json()["status"], response.json()["anomalies"]) == (200, "received", [])


def test_api_answers_the_return_with_its_receiving_and_lines_gtin(boxed, keys):
    ret = boxed()

    response = post(
        keys,
        ret,
        {
            "scan": codes.display(ret.code),
            "lines": [{"item": "SKU-1", "quantity": 2}, {"gtin": "00000012345670", "quantity": 1}],
            "anomalies": [{"code": "damaged_on_return", "line": "L1", "note": "Shade dented"}],
            "note": "Parcel wet",
        },
    )

    body = response.json()
    received_at = ReturnEvent.objects.filter(return_request=ret, action="receive").get().at
    assert response.status_code == 200
    assert [(line["line"], line["gtin"]) for line in body["lines"]] == [("L1", LAMP_GTIN), ("L2", None)]
    assert body["receiving"] == {
        "at": iso(received_at),
        "lines": [
            {"line": "L1", "expected": 2, "scanned": 2, "result": "ok"},
            {"line": "L2", "expected": 1, "scanned": 0, "result": "short"},
        ],
        "unmatched": [{"sku": None, "gtin": "00000012345670", "item": None, "quantity": 1}],
    }
    assert [(anomaly["code"], anomaly["line"], anomaly["note"]) for anomaly in body["anomalies"]] == [
        ("short", "L2", ""),
        ("item_mismatch", None, ""),
        ("damaged_on_return", "L1", "Shade dented"),
    ]
    assert body["anomalies"][0]["data"] == {"sku": "SKU-2", "gtin": None, "expected": 1, "scanned": 0}
    assert [event["action"] for event in body["timeline"]][-4:] == ["receive", "anomaly", "anomaly", "anomaly"]


def test_api_a_return_not_yet_received_answers_receiving_null(boxed, keys):
    body = keys.client("seller_a").get(f"/api/v1/returns/{boxed().code}").json()

    assert body["receiving"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"lines": [{"sku": "SKU-1", "gtin": LAMP_GTIN, "quantity": 1}]}, ["body", "payload", "lines", 0]),
        ({"lines": [{"quantity": 1}]}, ["body", "payload", "lines", 0]),
        ({"lines": [{"gtin": "4006-381", "quantity": 1}]}, ["body", "payload", "lines", 0]),
        ({"lines": [{"sku": "SKU-1", "quantity": 0}]}, ["body", "payload", "lines", 0]),
        ({"anomalies": [{"code": "lost_in_transit"}]}, ["body", "payload", "anomalies", 0, "code"]),
        ({"anomalies": [{"code": "wrong_weight"}]}, ["body", "payload", "anomalies", 0, "code"]),
    ],
)
def test_api_bad_lines_and_anomaly_codes_are_422_and_change_nothing(boxed, keys, body, loc):
    ret = boxed()
    before = state(ret)

    response = post(keys, ret, body)

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert response.json()["errors"][0]["loc"][: len(loc)] == loc
    assert state(ret) == before


def test_api_a_scan_mismatch_is_422_scan_mismatch(boxed, keys):
    ret = boxed()

    response = post(keys, ret, {"scan": "K7Q2XM4D9T306"})

    assert (response.status_code, response.json()["code"]) == (422, "scan_mismatch")
    assert Return.objects.get(pk=ret.pk).status == Status.APPROVED
