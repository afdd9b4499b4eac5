"""Tracking numbers (``domain.tracking``): shapes, check digits and the 422s that refuse them.

Pure Python. The check digits are computed here a second way, straight from the contract's words
(a table of letter values, explicit weights), never by calling the module's own helpers.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returndesk.core.errors import ValidationFailed
from returndesk.returns.domain.tracking import Scheme, checked, normalise, scheme_of
from returndesk.returns.errors import BadCheckDigit

LOC = ["body", "tracking_number"]


def s10_check(digits: str) -> str:
    weighted = sum(int(d) * w for d, w in zip(digits, [8, 6, 4, 2, 3, 5, 9, 7], strict=True))
    check = 11 - weighted % 11
    return "0" if check == 10 else "5" if check == 11 else str(check)


# (ASCII - 63) mod 10, written out: A=2, B=3, ..., H=9, I=0, J=1, ...
UPS_LETTER = {letter: (ord(letter) - 63) % 10 for letter in string.ascii_uppercase}


def ups_check(symbols: str) -> str:
    values = [int(s) if s.isdigit() else UPS_LETTER[s] for s in symbols]
    weighted = sum(values[0::2]) + 2 * sum(values[1::2])  # positions 1, 3, ... weigh 1; 2, 4, ... weigh 2
    return str((10 - weighted % 10) % 10)


def refusal(raw: str) -> tuple[str, int, list[dict[str, object]] | None]:
    with pytest.raises((BadCheckDigit, ValidationFailed)) as caught:
        checked(raw)
    return caught.value.code, caught.value.status, caught.value.errors


# --- The contract's examples -----------------------------------------------------------------


def test_the_contracts_valid_numbers() -> None:
    assert [checked("RR123456785GB"), checked("1Z999AA10123456784")] == ["RR123456785GB", "1Z999AA10123456784"]


def test_the_contracts_s10_with_a_wrong_check_digit() -> None:
    assert refusal("RR123456784GB") == (
        "bad_check_digit",
        422,
        [{"loc": LOC, "msg": "S10 check digit should be 5", "type": "bad_check_digit"}],
    )


def test_a_ups_number_with_a_wrong_check_digit() -> None:
    assert refusal("1Z999AA10123456785") == (
        "bad_check_digit",
        422,
        [{"loc": LOC, "msg": "UPS check digit should be 4", "type": "bad_check_digit"}],
    )


def test_a_ups_number_whose_check_is_a_letter_is_refused_for_its_digit() -> None:
    assert refusal("1Z999AA1012345678X")[2] == [
        {"loc": LOC, "msg": "UPS check digit should be 4", "type": "bad_check_digit"}
    ]


def test_the_location_is_the_callers() -> None:
    with pytest.raises(BadCheckDigit) as caught:
        checked("RR123456784GB", loc=("body", "offline", "tracking_number"))
    assert caught.value.errors == [
        {"loc": ["body", "offline", "tracking_number"], "msg": "S10 check digit should be 5", "type": "bad_check_digit"}
    ]


# --- Normalising -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("rr 123 456 785 gb", "RR123456785GB"),
        (" 1z999aa10123456784\n", "1Z999AA10123456784"),
        ("abc\t12345", "ABC12345"),
        ("", ""),
        ("\u017f1234567", "\u017f1234567"),  # long s stays itself, never "S"
    ],
)
def test_normalise_upper_cases_and_drops_spaces(raw: str, number: str) -> None:
    assert normalise(raw) == number


def test_checked_answers_the_normalised_number() -> None:
    assert checked(" rr1234 56785gb ") == "RR123456785GB"


# --- Shapes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "scheme"),
    [
        ("RR123456785GB", Scheme.S10),
        ("1Z999AA10123456784", Scheme.UPS),
        ("12345678", Scheme.OTHER),
        ("A" * 40, Scheme.OTHER),
        # Near misses of the checked shapes fall to the plain rule, without a check.
        ("R1123456785GB", Scheme.OTHER),
        ("RR1234567850GB", Scheme.OTHER),
        ("1Z999AA1012345678", Scheme.OTHER),
        ("1Z999AA101234567845", Scheme.OTHER),
        ("2Z999AA10123456784", Scheme.OTHER),
        ("1234567", None),
        ("A" * 41, None),
        ("AB-123456", None),
        ("ÄB1234567", None),
        ("RR\uff1123456785GB", None),  # a full-width digit is no digit here
        ("", None),
    ],
)
def test_scheme_of(number: str, scheme: Scheme | None) -> None:
    assert scheme_of(number) is scheme


@pytest.mark.parametrize("raw", ["1234567", "A" * 41, "AB-123456", "ÄB1234567", "\u01311234567", "", "   "])
def test_a_shape_no_rule_accepts_is_a_validation_error(raw: str) -> None:
    message = "A tracking number is 8 to 40 letters A-Z and digits (spaces are ignored)"
    assert refusal(raw) == ("validation_error", 422, [{"loc": LOC, "msg": message, "type": "tracking_number"}])


CHECKED_SHAPES = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}|1Z[0-9A-Z]{16}")


@given(
    st.text(alphabet=string.digits + string.ascii_uppercase, min_size=8, max_size=40).filter(
        lambda number: not CHECKED_SHAPES.fullmatch(number)
    )
)
def test_any_number_of_8_to_40_symbols_without_a_checked_shape_passes(number: str) -> None:
    assert checked(number) == number


# --- Check digits, property by property -------------------------------------------------------

letters = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2)
s10_serials = st.text(alphabet=string.digits, min_size=8, max_size=8)
ups_symbols = st.text(alphabet=string.digits + string.ascii_uppercase, min_size=15, max_size=15)


def s10(prefix: str, serial: str, suffix: str) -> str:
    return f"{prefix}{serial}{s10_check(serial)}{suffix}"


def ups(symbols: str) -> str:
    return f"1Z{symbols}{ups_check(symbols)}"


@given(letters, s10_serials, letters)
def test_every_s10_number_with_its_check_digit_passes(prefix: str, serial: str, suffix: str) -> None:
    assert checked(s10(prefix, serial, suffix).lower()) == s10(prefix, serial, suffix)


@given(ups_symbols)
def test_every_ups_number_with_its_check_digit_passes(symbols: str) -> None:
    assert checked(ups(symbols)) == ups(symbols)


@given(letters, s10_serials, letters, st.sampled_from(string.digits))
def test_any_other_s10_check_digit_fails_naming_the_right_one(
    prefix: str, serial: str, suffix: str, digit: str
) -> None:
    right = s10_check(serial)
    number = f"{prefix}{serial}{digit}{suffix}"
    if digit == right:
        assert checked(number) == number
    else:
        assert refusal(number)[2] == [
            {"loc": LOC, "msg": f"S10 check digit should be {right}", "type": "bad_check_digit"}
        ]


@given(ups_symbols, st.sampled_from(string.digits + string.ascii_uppercase))
def test_any_other_ups_check_symbol_fails_naming_the_right_digit(symbols: str, symbol: str) -> None:
    right = ups_check(symbols)
    number = f"1Z{symbols}{symbol}"
    if symbol == right:
        assert checked(number) == number
    else:
        assert refusal(number)[2] == [
            {"loc": LOC, "msg": f"UPS check digit should be {right}", "type": "bad_check_digit"}
        ]


# A single changed serial digit is caught except where the scheme itself cannot see it: S10 writes
# both 11 - 0 (as 5) and 11 - 6 as 5, so a change moving the weighted sum between 0 and 6 (mod 11)
# keeps the check; UPS doubles even positions mod 10, so a digit there changed by 5 keeps it.
def s10_residue(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, [8, 6, 4, 2, 3, 5, 9, 7], strict=True)) % 11


@given(s10_serials, st.integers(0, 7), st.integers(1, 9))
def test_a_single_changed_s10_digit_fails_unless_both_sums_give_5(serial: str, position: int, shift: int) -> None:
    changed = serial[:position] + str((int(serial[position]) + shift) % 10) + serial[position + 1 :]
    number = f"RR{changed}{s10_check(serial)}GB"
    blind_spot = {s10_residue(serial), s10_residue(changed)} == {0, 6}
    if blind_spot:
        assert checked(number) == number
    else:
        assert refusal(number)[0] == "bad_check_digit"


def test_the_s10_blind_spot_exists() -> None:
    # 12345678 weighs 204 = 6 (mod 11); 32345678 weighs 220 = 0: both check digits are 5.
    assert [checked("RR123456785GB"), checked("RR323456785GB")] == ["RR123456785GB", "RR323456785GB"]


@given(st.text(alphabet=string.digits, min_size=15, max_size=15), st.integers(0, 14), st.integers(1, 9))
def test_a_single_changed_ups_digit_fails_unless_an_even_position_moved_by_5(
    symbols: str, index: int, shift: int
) -> None:
    changed = symbols[:index] + str((int(symbols[index]) + shift) % 10) + symbols[index + 1 :]
    number = f"1Z{changed}{ups_check(symbols)}"
    even_position = (index + 1) % 2 == 0
    if even_position and shift == 5:
        assert checked(number) == number
    else:
        assert refusal(number)[0] == "bad_check_digit"
