"""Business days by country (the holidays package, a Saturday-Sunday weekend where it has none)
and the windows they bound. The window's property over random instants, zones and countries is in
``returns/tests/test_lifecycle.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from returndesk.policies.domain import calendar


@pytest.mark.parametrize(
    ("day", "country", "business"),
    [
        (date(2026, 4, 3), "DE", False),  # Good Friday
        (date(2026, 4, 6), "DE", False),  # Easter Monday
        (date(2026, 4, 7), "DE", True),
        (date(2026, 4, 4), "DE", False),  # Saturday
        (date(2026, 4, 5), "EG", True),  # Sunday, a working day in Egypt...
        (date(2026, 4, 3), "EG", False),  # ...whose weekend is Friday...
        (date(2026, 4, 4), "EG", False),  # ...and Saturday
        (date(2026, 2, 28), "CN", True),  # a Saturday China works (before the Spring Festival break)
        (date(2026, 7, 4), "US", False),
        (date(2026, 4, 4), "xx", False),  # a country the package lacks: Saturday...
        (date(2026, 12, 25), "XX", True),  # ...and no holidays
        (date(2026, 4, 3), "de", False),  # codes in either case
    ],
)
def test_is_business_day(day: date, country: str, business: bool) -> None:
    assert calendar.is_business_day(day, country) is business


def test_roll_and_add_business_days() -> None:
    # Good Friday, Easter Saturday, Easter Sunday and Easter Monday in Germany.
    assert calendar.roll_to_business_day(date(2026, 4, 3), "DE") == date(2026, 4, 7)
    assert calendar.roll_to_business_day(date(2026, 4, 7), "DE") == date(2026, 4, 7)
    assert calendar.add_business_days(date(2026, 4, 2), 2, "DE") == date(2026, 4, 8)
    assert calendar.add_business_days(date(2026, 4, 2), 0, "DE") == date(2026, 4, 2)


def test_the_window_rolls_past_a_weekend_and_a_holiday() -> None:
    # Delivered on 4 March in Berlin; 30 days on is Good Friday 3 April: the last day is Tuesday
    # 7 April, and the window ends at midnight starting the 8th (CEST, +02:00).
    end = calendar.window_end(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), "Europe/Berlin", "DE", 30)
    assert end.astimezone(UTC) == datetime(2026, 4, 7, 22, 0, tzinfo=UTC)
    # In Spain only Good Friday is national: the last day is Monday 6 April.
    end = calendar.window_end(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), "Europe/Madrid", "ES", 30)
    assert end.astimezone(UTC) == datetime(2026, 4, 6, 22, 0, tzinfo=UTC)


def test_a_skipped_midnight_after_a_weekend_rolled_window() -> None:
    # Chile's DST gap swallows the midnight after Saturday 5 September 2026; a window whose 30th
    # day is that Saturday rolls to Monday the 7th and ends at midnight starting the 8th (-03:00).
    end = calendar.window_end(datetime(2026, 8, 6, 16, 0, tzinfo=UTC), "America/Santiago", "CL", 30)
    assert end.astimezone(UTC) == datetime(2026, 9, 8, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "eu"),
    [("DE", True), ("ie", True), ("IS", True), ("LI", True), ("NO", True), ("CH", False), ("GB", False), ("US", False)],
)
def test_eu_buyers(country: str, eu: bool) -> None:
    assert calendar.is_eu_buyer(country) is eu


def test_eu_buyer_countries_are_the_eu_27_and_iceland_liechtenstein_norway() -> None:
    assert len(calendar.EU_BUYER_COUNTRIES) == 30
