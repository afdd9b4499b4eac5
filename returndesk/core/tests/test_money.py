"""Minor units: exact both ways, in every exponent, and never rounded on the way in; zero without
a sign."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from returndesk.core.money import format_amount, from_minor, to_minor, unsigned
from returndesk.core.schemas import Amount

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


@pytest.mark.parametrize("typed", ["-0", "-0.00", "0", "-0.000"])
def test_zero_is_written_without_a_sign(typed: str) -> None:
    assert format_amount(Decimal(typed), "EUR") == "0.00"
    assert str(unsigned(Decimal(typed))).startswith("0")


def test_an_amount_typed_as_minus_zero_is_zero_in_the_api() -> None:
    assert str(TypeAdapter(Amount).validate_python("-0.00")) == "0.00"
