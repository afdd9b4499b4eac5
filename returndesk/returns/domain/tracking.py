"""Carriers' tracking numbers: their shapes and check digits. Pure Python, no Django.

A number is recognised by its shape, whatever carrier a client names:

- UPU S10 (``RR123456785GB``): two letters, eight digits, a check digit, two letters. The check
  is 11 - (sum of the digits weighted 8, 6, 4, 2, 3, 5, 9, 7, mod 11), with 10 written 0 and 11
  written 5.
- UPS (``1Z999AA10123456784``): ``1Z``, fifteen symbols and a check digit. Over characters 3-17,
  a letter counts (ASCII - 63) mod 10; odd positions weigh 1, even ones 2; the check is
  (10 - sum mod 10) mod 10.
- anything else: 8 to 40 of ``0-9`` and ``A-Z``, with no check we know of.

Neither check catches every single substitution: S10 maps two sums (0 and 6 mod 11) to the
same 5, and UPS doubles even positions mod 10, so a digit changed by 5 there goes unseen. A wrong
check digit itself is always caught. The tests state both exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from returndesk.core.errors import ValidationFailed
from returndesk.returns.errors import BadCheckDigit

MAX_LENGTH = 40
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
_UPS = re.compile(r"1Z[0-9A-Z]{16}")
_OTHER = re.compile(rf"[0-9A-Z]{{8,{MAX_LENGTH}}}")


class Scheme(StrEnum):
    """Which rule recognised a number."""

    S10 = "S10"
    UPS = "UPS"
    OTHER = "other"


def normalise(raw: str) -> str:
    """A number as stored and compared: upper case, without spaces (or any other white space).

    The result may still be no number at all; ``checked`` says whether it is one.
    """
    stripped = "".join(raw.split())
    # Unicode case mapping would turn some letters into ASCII ones (dotless i -> "I", long s -> "S").
    return stripped.upper() if stripped.isascii() else stripped


def scheme_of(number: str) -> Scheme | None:
    """The rule a normalised number's shape falls under, or None when no rule accepts its shape
    (check digits are not looked at here)."""
    if _S10.fullmatch(number):
        return Scheme.S10
    if _UPS.fullmatch(number):
        return Scheme.UPS
    if _OTHER.fullmatch(number):
        return Scheme.OTHER
    return None


def s10_check_digit(digits: str) -> int:
    """The S10 check digit of the eight serial digits."""
    assert len(digits) == len(S10_WEIGHTS)
    assert digits.isdigit()
    check = 11 - sum(int(digit) * weight for digit, weight in zip(digits, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def _ups_value(symbol: str) -> int:
    return int(symbol) if symbol.isdigit() else (ord(symbol) - 63) % 10


def ups_check_digit(symbols: str) -> int:
    """The UPS check digit of characters 3-17 (the fifteen after ``1Z``)."""
    assert len(symbols) == 15
    total = sum(_ups_value(symbol) * (1 if position % 2 else 2) for position, symbol in enumerate(symbols, start=1))
    return (10 - total % 10) % 10


def expected_check_digit(number: str) -> int | None:
    """The check digit a normalised S10 or UPS number should end its serial with; None for the
    numbers whose scheme has no check."""
    match scheme_of(number):
        case Scheme.S10:
            return s10_check_digit(number[2:10])
        case Scheme.UPS:
            return ups_check_digit(number[2:17])
        case _:
            return None


def _check_position(number: str, scheme: Scheme) -> int:
    return 10 if scheme is Scheme.S10 else 17


def checked(raw: str, *, loc: Sequence[str] = ("body", "tracking_number")) -> str:
    """The normalised number, or the 422 that refuses it.

    ``BadCheckDigit`` (``bad_check_digit``) for an S10 or UPS number whose check digit is wrong,
    ``ValidationFailed`` (``validation_error``) for a shape no rule accepts; both name ``loc``.
    """
    number = normalise(raw)
    scheme = scheme_of(number)
    if scheme is None:
        message = f"A tracking number is 8 to {MAX_LENGTH} letters A-Z and digits (spaces are ignored)"
        raise ValidationFailed(message, errors=[{"loc": list(loc), "msg": message, "type": "tracking_number"}])
    expected = expected_check_digit(number)
    if expected is not None and number[_check_position(number, scheme)] != str(expected):
        message = f"{scheme} check digit should be {expected}"
        raise BadCheckDigit(message, errors=[{"loc": list(loc), "msg": message, "type": "bad_check_digit"}])
    return number
