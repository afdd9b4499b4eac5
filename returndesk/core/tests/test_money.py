"""Minor units: exact both ways, in every exponent, and never rounded on the way in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returndesk.core.money import from_minor, to_minor

CURRENCIES = ["JPY", "EUR", "KWD", "CLF"]  # exponents 0, 2, 3, 4


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("4.99", "EUR", 499),
        ("4.990", "EUR", 499),
        ("500", "JPY", 500),
        ("1E+3", "JPY", 1000),
        ("1.234", "KWD", 1234),
        ("1.2345", "CLF", 12345),
        ("0", "EUR", 0),
    ],
)
def test_to_minor(amount: str, currency: str, units: int) -> None:
    assert to_minor(Decimal(amount), currency) == units


@pytest.mark.parametrize(("amount", "currency"), [("4.999", "EUR"), ("0.5", "JPY"), ("1.23456", "CLF")])
def test_to_minor_refuses_what_the_currency_cannot_hold(amount: str, currency: str) -> None:
    with pytest.raises(ValueError, match="more decimals"):
        to_minor(Decimal(amount), currency)


def test_from_minor_has_the_currency_decimals() -> None:
    assert [str(from_minor(499, "EUR")), str(from_minor(500, "JPY")), str(from_minor(5, "KWD"))] == [
        "4.99",
        "500",
        "0.005",
    ]


@given(st.integers(-(10**15), 10**15), st.sampled_from(CURRENCIES))
def test_minor_units_round_trip(units: int, currency: str) -> None:
    assert to_minor(from_minor(units, currency), currency) == units
