"""Arrival dates (``domain.arrival``): business days of the buyer's country, counted from the
buyer-local day a refund succeeded (or, provisionally, was made), and the attention deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from returndesk.policies.domain import calendar
from returndesk.refunds.domain.arrival import (
    DEFAULT_REFUND_DAYS,
    ExpectedArrival,
    attention_at,
    expected_arrival,
    expected_by_of,
    money_due_at,
    refund_days,
)

BERLIN = {"time_zone": "Europe/Berlin", "country": "DE"}


def test_a_card_refund_on_the_eve_of_easter_in_berlin() -> None:
    # 22:30 UTC on Thursday 2 April 2026 is Good Friday in Berlin: the count starts on Tuesday the
    # 7th (Easter Monday is a holiday too); 3 business days on is Friday the 10th, and 20 end on
    # Wednesday 6 May (Labour Day, Friday 1 May, is skipped).
    arrival = expected_arrival(
        "card", datetime(2026, 4, 2, 22, 30, tzinfo=UTC), **BERLIN, provisional=False, days_table=DEFAULT_REFUND_DAYS
    )
    assert arrival == ExpectedArrival(date(2026, 4, 10), date(2026, 5, 6), False)


def test_the_same_instant_in_new_york_counts_from_its_own_day() -> None:
    # Still Thursday 2 April in New York: a wallet refund may arrive that day or the next.
    arrival = expected_arrival(
        "wallet",
        datetime(2026, 4, 2, 21, 30, tzinfo=UTC),
        provisional=True,
        time_zone="America/New_York",
        country="US",
        days_table=DEFAULT_REFUND_DAYS,
    )
    assert arrival == ExpectedArrival(date(2026, 4, 2), date(2026, 4, 3), True)


def test_methods_the_table_lacks_count_as_other_and_the_table_is_the_settings() -> None:
    table = {"card": (1, 2), "other": (4, 4)}
    assert refund_days("CARD", table) == (1, 2)
    assert refund_days("giftcard", table) == (4, 4)
    assert refund_days("giftcard", {"card": (1, 2)}) == (3, 20)
    # Monday 6 July 2026 in Spain: 4 business days on is Friday the 10th.
    arrival = expected_arrival(
        "klarna",
        datetime(2026, 7, 6, 9, 0, tzinfo=UTC),
        provisional=False,
        time_zone="Europe/Madrid",
        country="ES",
        days_table=table,
    )
    assert arrival == ExpectedArrival(date(2026, 7, 10), date(2026, 7, 10), False)


def test_money_is_due_at_the_end_of_the_buyers_day() -> None:
    due = money_due_at(date(2026, 5, 6), "Europe/Berlin")
    assert due is not None
    assert due.astimezone(UTC) == datetime(2026, 5, 6, 22, 0, tzinfo=UTC)
    assert money_due_at(None, "Europe/Berlin") is None
    assert expected_by_of(due, "Europe/Berlin") == date(2026, 5, 6)
    assert expected_by_of(None, "Europe/Berlin") is None
    # The night the clocks go back (Sunday 25 October 2026 in Berlin) is 25 hours long.
    assert expected_by_of(money_due_at(date(2026, 10, 25), "Europe/Berlin"), "Europe/Berlin") == date(2026, 10, 25)


def test_attention_is_the_earliest_reason() -> None:
    held = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    # Latest day Wednesday 6 May in Germany: two business days on is Friday the 8th, ending at
    # midnight Berlin time.
    overdue = datetime(2026, 5, 8, 22, 0, tzinfo=UTC)
    common = {"refund_attention": timedelta(days=3), "time_zone": "Europe/Berlin", "country": "DE"}
    assert attention_at(stuck_since=[], refund_expected_by=date(2026, 5, 6), all_cancelled_at=None, **common) == overdue
    stuck = [held + timedelta(days=1), held]
    assert attention_at(
        stuck_since=stuck, refund_expected_by=date(2026, 5, 6), all_cancelled_at=None, **common
    ) == held + timedelta(days=3)
    cancelled = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
    assert attention_at(stuck_since=[held], refund_expected_by=None, all_cancelled_at=cancelled, **common) == cancelled
    assert attention_at(stuck_since=[], refund_expected_by=None, all_cancelled_at=None, **common) is None


ZONES = [("Europe/Berlin", "DE"), ("Asia/Tokyo", "JP"), ("America/Santiago", "CL"), ("Africa/Cairo", "EG")]


@given(
    at=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    place=st.sampled_from(ZONES),
    method=st.sampled_from([*DEFAULT_REFUND_DAYS, "voucher"]),
    bounds=st.tuples(st.integers(0, 30), st.integers(0, 30)).map(sorted),
    provisional=st.booleans(),
)
def test_arrival_dates_are_business_days_in_order(
    at: datetime, place: tuple[str, str], method: str, bounds: list[int], provisional: bool
) -> None:
    zone, country = place
    table = {**DEFAULT_REFUND_DAYS, "card": (bounds[0], bounds[1])}
    arrival = expected_arrival(method, at, provisional=provisional, time_zone=zone, country=country, days_table=table)
    assert calendar.is_business_day(arrival.earliest, country)
    assert calendar.is_business_day(arrival.latest, country)
    assert at.astimezone(ZoneInfo(zone)).date() <= arrival.earliest <= arrival.latest
    assert arrival.provisional is provisional
