"""Field types shared by every API schema."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, StringConstraints

from returndesk.core import money


def _upper_currency(value: str) -> str:
    value = value.upper()
    if not money.is_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return value


Currency = Annotated[str, StringConstraints(min_length=3, max_length=3), AfterValidator(_upper_currency)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
# Amounts travel as decimal strings; numbers are accepted on input, floats never leave. Fifteen
# significant digits is what SQLite, the embedded default, stores exactly.
Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4), PlainSerializer(str, return_type=str)]

_EARLIEST, _LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _plausible(value: datetime) -> datetime:
    # Far-off years overflow date arithmetic (windows, deadlines) and some databases' ranges.
    if not _EARLIEST <= value < _LATEST:
        raise ValueError("must be between 1970 and 2200")
    return value


# An instant with an offset, in a range the service can compute with.
Timestamp = Annotated[AwareDatetime, AfterValidator(_plausible)]
