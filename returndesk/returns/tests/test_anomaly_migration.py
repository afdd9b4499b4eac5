"""The migrations that turn ``Return.anomalies`` (a JSON list) into ReturnAnomaly rows, both ways."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from returndesk.policies.domain.reasons import Reason
from returndesk.returns import services
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.scenarios.journeys import order_placed, return_opened, return_to
from returndesk.testing import NOW

MINUTE = timedelta(minutes=1)
WITH_LIST = [("returns", "0002_returnanomaly")]
MOVED = [("returns", "0003_anomalies_to_rows")]
moving = importlib.import_module("returndesk.returns.migrations.0003_anomalies_to_rows")


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.database
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrations")
def test_the_json_list_moves_into_rows_and_back() -> None:
    ret = return_opened(
        order=order_placed(),
        lines=[
            RequestedLine(line="L1", quantity=1, reason=Reason.WRONG_ITEM),
            RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE),
        ],
    )
    ret = return_to(ret, Status.IN_TRANSIT)
    l1 = ret.lines.get(order_line__external_id="L1")
    services.return_anomaly_record(ret=ret, code=Anomaly.SHORT, line=l1, note="1 of 2", at=NOW, source="receive")

    # Back to the JSON list: the reverse writes the row into it.
    apps = migrate(WITH_LIST)
    old_return = apps.get_model("returns", "Return")
    assert old_return.objects.get(pk=ret.pk).anomalies == [
        {"code": "short", "line": "L1", "note": "1 of 2", "at": NOW.isoformat()}
    ]
    # What the list may hold: a line, the whole parcel, a code nobody registers, a line the return
    # does not have, no time.
    old_return.objects.filter(pk=ret.pk).update(
        anomalies=[
            {"code": "short", "line": "L1", "note": "1 of 2", "at": "2026-03-10T12:00:00+00:00"},
            {"code": "empty_box", "line": None, "note": "", "at": "2026-03-11T09:30:00Z"},
            {"code": "wrong_weight", "line": "L2", "note": "2.1 kg", "at": "2026-03-11T09:31:00"},
            {"code": "extra", "line": "L9", "note": "A scarf", "at": "2026-03-11T09:32:00Z"},
            {"code": "damaged_on_return", "line": "L2"},
        ]
    )

    apps = migrate(MOVED)

    # Only the key: at this migration the table lacks the lines' later columns (paid_share, ...).
    l2 = ret.lines.only("id").get(order_line__external_id="L2")
    moved = apps.get_model("returns", "ReturnAnomaly").objects.order_by("id")
    next_morning = NOW + timedelta(hours=21, minutes=30)
    assert list(moved.values_list("return_request", "line", "code", "note", "at", "source")) == [
        (ret.pk, l1.pk, "short", "1 of 2", NOW, "migration"),
        (ret.pk, None, "empty_box", "", next_morning, "migration"),
        (ret.pk, l2.pk, "wrong_weight", "2.1 kg", next_morning + MINUTE, "migration"),
        (ret.pk, None, "extra", "A scarf [line 'L9', not in the return]", next_morning + 2 * MINUTE, "migration"),
        # No time in the list: the return's last change is the latest the anomaly can be from.
        (ret.pk, l2.pk, "damaged_on_return", "", ret.updated_at, "migration"),
    ]


@pytest.mark.parametrize(
    "item",
    [{"line": "L1", "note": "no code"}, {"code": "Not A Code"}, "short", {"code": None}],
    ids=["missing", "malformed", "not-an-object", "null"],
)
def test_an_item_without_a_readable_code_stops_the_migration_naming_the_return(item: object) -> None:
    with pytest.raises(ValueError, match=r"^Return 7: anomaly ") as refused:
        moving._row(None, 7, item, {}, NOW)

    assert str(refused.value) == f"Return 7: anomaly {item!r} has no readable code; correct it and migrate again."
