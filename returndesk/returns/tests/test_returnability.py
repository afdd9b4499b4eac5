"""One rule decides whether a line is returnable: for the buyer's pages and for ``return_open``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from returndesk.returns.domain.returnability import WhyNot, line_returnability

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
# Delivered late on 1 February in Madrid: the 30-day window's last local day is 3 March.
DELIVERED = datetime(2026, 2, 1, 22, 30, tzinfo=UTC)


def judge(**overrides: Any) -> Any:
    args: dict[str, Any] = {
        "quantity": 3,
        "final_sale": False,
        "delivered_at": NOW - timedelta(days=2),
        "held": 0,
        "time_zone": "Europe/Madrid",
        "country": "ES",
        "now": NOW,
    } | overrides
    return line_returnability(**args)


def test_a_delivered_line_within_its_window_is_returnable_but_for_the_units_held() -> None:
    answer = judge(held=1)

    assert (answer.returnable, answer.why_not, answer.last_day) == (2, None, date(2026, 4, 7))


def test_final_sale_comes_first() -> None:
    answer = judge(final_sale=True, delivered_at=None, held=3)

    assert (answer.returnable, answer.why_not) == (0, WhyNot.FINAL_SALE)


def test_an_undelivered_line_is_not_returnable_and_has_no_window() -> None:
    answer = judge(delivered_at=None)

    assert (answer.returnable, answer.why_not, answer.window_ends_at) == (0, WhyNot.NOT_DELIVERED, None)


def test_the_window_closes_at_the_end_of_the_buyers_local_day() -> None:
    # Madrid is UTC+1 in March: the window ends at 2026-03-04 00:00 local, 2026-03-03 23:00 UTC.
    end = datetime(2026, 3, 3, 23, 0, tzinfo=UTC)

    still_open = judge(delivered_at=DELIVERED, now=end - timedelta(seconds=1))
    closed = judge(delivered_at=DELIVERED, now=end)

    assert (still_open.returnable, closed.why_not, closed.last_day, closed.window_ends_at.isoformat()) == (
        3,
        WhyNot.WINDOW_CLOSED,
        date(2026, 3, 3),
        "2026-03-04T00:00:00+01:00",
    )


def test_a_line_whose_every_unit_is_held_was_already_returned_by_those_returns() -> None:
    answer = judge(held=3, held_by=("K7Q2XM4D9T306",))

    assert (answer.returnable, answer.why_not, answer.held_by) == (0, WhyNot.ALREADY_RETURNED, ("K7Q2XM4D9T306",))
