"""Business days of a buyer's country, and the return window they bound. Pure Python.

A business day is one that is neither a national holiday nor a weekend day of the country, as the
``holidays`` package knows them (its weekend too: Friday and Saturday in Egypt, Saturday and Sunday
in Germany, with the working Saturdays some countries move into a weekend). A country the package
lacks has no holidays and a Saturday-Sunday weekend. The calendar of a country is built once per
year and kept: the package computes movable feasts on every construction, and windows, free
returns and refund dates ask for the same few countries and years again and again.

Refund dates reuse it (``add_business_days``); so does the EU withdrawal period, which rolls like
any window.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# EU-27 and the EEA's Iceland, Liechtenstein and Norway: buyers with the right of withdrawal.
EU_BUYER_COUNTRIES: frozenset[str] = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)

# Monday is 0: the weekend of a country the package lacks.
_DEFAULT_WEEKEND = frozenset({5, 6})


def is_eu_buyer(country: str) -> bool:
    return country.upper() in EU_BUYER_COUNTRIES


@dataclass(frozen=True)
class _Year:
    holidays: frozenset[date]
    weekend: frozenset[int]
    # Weekend days that are working days this year (a holiday's bridge moved onto a Saturday).
    working_weekend_days: frozenset[date]


@lru_cache(maxsize=1024)
def _year(country: str, year: int) -> _Year:
    try:
        with warnings.catch_warnings():
            # The package warns for years outside the range its sources cover, then answers anyway
            # with the rules it has: a window in 2040 still rolls over that year's New Year's Day.
            warnings.simplefilter("ignore")
            calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return _Year(holidays=frozenset(), weekend=_DEFAULT_WEEKEND, working_weekend_days=frozenset())
    return _Year(
        holidays=frozenset(calendar.keys()),
        weekend=frozenset(calendar.weekend),
        working_weekend_days=frozenset(getattr(calendar, "weekend_workdays", ())),
    )


def is_business_day(day: date, country: str) -> bool:
    """Neither a national holiday nor a weekend day of ``country`` (ISO 3166-1 alpha-2)."""
    calendar = _year(country.upper(), day.year)
    if day in calendar.holidays:
        return False
    return day.weekday() not in calendar.weekend or day in calendar.working_weekend_days


def roll_to_business_day(day: date, country: str) -> date:
    """``day`` if it is a business day of ``country``, else the next one."""
    while not is_business_day(day, country):
        day += timedelta(days=1)
    return day


def add_business_days(start: date, days: int, country: str) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself when ``days`` is 0)."""
    day = start
    for _ in range(days):
        day = roll_to_business_day(day + timedelta(days=1), country)
    return day


def last_day(delivered_at: datetime, time_zone: str, country: str, days: int) -> date:
    """The buyer-local last day of a ``days``-day window opened by a delivery at ``delivered_at``."""
    delivered_on = delivered_at.astimezone(ZoneInfo(time_zone)).date()
    return roll_to_business_day(delivered_on + timedelta(days=days), country)


def window_end(delivered_at: datetime, time_zone: str, country: str, days: int) -> datetime:
    """The first instant after a ``days``-day window opened by a delivery at ``delivered_at``.

    The last day is the local date of delivery in the buyer's ``time_zone`` plus ``days``, moved
    forward while it is not a business day of the buyer's ``country``; the window ends at the
    local midnight after it. Where that midnight does not exist (a DST gap at 00:00), the answer
    is the instant the day starts: 00:00 read with the offset before the gap.
    """
    zone = ZoneInfo(time_zone)
    ends_on = last_day(delivered_at, time_zone, country, days) + timedelta(days=1)
    return datetime.combine(ends_on, time(0), tzinfo=zone)
