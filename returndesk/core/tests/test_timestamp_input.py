"""Timestamps are read from ISO 8601 text only: pydantic would read a number as Unix seconds.

Found by schemathesis: ``GET /api/v1/returns?created_before=0.5`` answered 200, filtering from
1970, where the schema says ``format: date-time``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from returndesk.core.schemas import Timestamp

TIMESTAMP = TypeAdapter(Timestamp)


@pytest.mark.parametrize("value", [0.5, 1_773_144_000, "0.5", "1773144000", "", "March 10, 2026"])
def test_a_number_or_text_that_is_not_a_date_is_refused(value):
    with pytest.raises(ValidationError, match="must be an ISO 8601 date and time with an offset"):
        TIMESTAMP.validate_python(value)


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("2026-03-10T12:00:00Z", datetime(2026, 3, 10, 12, tzinfo=UTC)),
        ("2026-03-10T13:30:00+01:30", datetime(2026, 3, 10, 12, tzinfo=UTC)),
        (datetime(2026, 3, 10, 12, tzinfo=UTC), datetime(2026, 3, 10, 12, tzinfo=UTC)),
    ],
)
def test_iso_text_with_an_offset_and_aware_datetimes_are_read(value, read):
    assert TIMESTAMP.validate_python(value) == read


def test_a_number_as_a_list_filter_is_422(keys):
    response = keys.client("platform").get("/api/v1/returns", {"created_before": "0.5"})

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == [["query", "created_before"]]


def test_a_number_as_an_order_time_is_422(keys):
    response = keys.client("platform").post(
        "/api/v1/orders", {"placed_at": 1_773_144_000}, content_type="application/json"
    )

    assert response.status_code == 422
    assert ["body", "payload", "placed_at"] in [error["loc"] for error in response.json()["errors"]]
