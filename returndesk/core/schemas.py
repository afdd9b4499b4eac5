"""What every API input shares: the strict base class and the field types."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated

import pycountry
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
)

from returndesk.core import money


class InSchema(BaseModel):
    """Base of every request body and query schema: a member the API does not know is an error.

    A misspelt optional field (``notes`` for ``note``) would otherwise be dropped without a word,
    at any depth. A plain pydantic model, not ninja's ``Schema``: input never reads ORM objects,
    and ninja's wrapper validates a model that forbids extras twice, at every level of nesting.
    Query schemas share the base for the record; ninja hands them only the parameters they
    declare, so ``core.api.query_strict`` refuses the others.
    """

    model_config = ConfigDict(extra="forbid")


# JSON has its own integers and booleans: "1" or true where a count is expected, or 1 where a
# flag is, is a client bug to report, not to guess at. (Dates and amounts do come as strings.)
# A number with a zero fraction (2.0) is an integer to JSON Schema, and so to us; 2.5 is not.
def integral_number(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


StrictInt = Annotated[int, BeforeValidator(integral_number), Strict()]
# The same, 1 or more. The bound comes before the validators: after them, the OpenAPI of a union
# with null shows it as pydantic's "ge" instead of "minimum" (``PositiveStrictInt | None``).
PositiveStrictInt = Annotated[int, Field(ge=1), BeforeValidator(integral_number), Strict()]
StrictBool = Annotated[bool, Strict()]


def _upper_currency(value: str) -> str:
    value = value.upper()
    if not money.is_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return value


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def _iso_country(value: str) -> str:
    value = value.upper()
    if value not in _countries():
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return value


_UNREADABLE_IN_PATH = re.compile(r"[/\x00-\x1f\x7f-\x9f]")


def _path_safe(value: str) -> str:
    # Ids are read back at /orders/{external_id}, where a "/" cannot be; control characters
    # are never part of a real id and only hide in logs.
    if _UNREADABLE_IN_PATH.search(value):
        raise ValueError("an id may not contain '/' or control characters")
    return value


# Control characters, and the two line separators many viewers break a line at.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _single_line(value: str) -> str:
    # Shown on one line: in a mail's subject, on a label, in a log. A line break there is never
    # meant, and in a mail header it is refused when the mail is sent, long after the import
    # (``returns.services._code_mail`` puts an older number on one line).
    if _CONTROL.search(value):
        raise ValueError("may not contain line breaks or control characters")
    return value


_PLAIN_DECIMAL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*")


def _plain_decimal(value: object) -> object:
    # Decimal() also reads "1e3" and "1_000"; amounts are written out in full.
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError('an amount is written in plain decimal notation, like "1000.00" (no exponent)')
    return value


Currency = Annotated[str, StringConstraints(min_length=3, max_length=3), AfterValidator(_upper_currency)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(_iso_country)]
ExternalId = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True), AfterValidator(_path_safe)
]
SingleLine = Annotated[str, AfterValidator(_single_line)]
# Amounts travel as decimal strings; numbers are accepted on input, floats never leave. Fifteen
# significant digits is what SQLite, the embedded default, stores exactly.
Amount = Annotated[
    Decimal,
    BeforeValidator(_plain_decimal),
    Field(ge=0, max_digits=15, decimal_places=4),
    AfterValidator(money.unsigned),
    PlainSerializer(str, return_type=str),
]

_EARLIEST, _LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _plausible(value: datetime) -> datetime:
    # Far-off years overflow date arithmetic (windows, deadlines) and some databases' ranges.
    if not _EARLIEST <= value < _LATEST:
        raise ValueError("must be between 1970 and 2200")
    return value


def _iso_8601(value: object) -> object:
    # pydantic reads a number, or text of one, as Unix seconds: "0.5" would filter from 1970. The
    # schema promises RFC 3339 text (format date-time), so only text that starts with a date is read.
    if isinstance(value, int | float) or (isinstance(value, str) and not _DATE_FIRST.match(value)):
        raise ValueError("must be an ISO 8601 date and time with an offset, such as 2026-03-10T12:00:00Z")
    return value


_DATE_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}")


def _in_utc(value: datetime) -> datetime:
    # The instant the client meant, in UTC as every stored time is: an answer that echoes it (an
    # offline receipt's accepted_at) then reads as a later GET of the same row does.
    return value.astimezone(UTC)


# An instant with an offset, in a range the service can compute with.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_8601), AfterValidator(_plausible), AfterValidator(_in_utc)]
