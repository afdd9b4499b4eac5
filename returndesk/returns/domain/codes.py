"""Return codes: 12 random Crockford Base32 symbols plus an ISO/IEC 7064 MOD 37-2 check symbol.

Pure Python, no Django. The check is computed over the Crockford values (0-31) of the payload;
MOD 37-2 yields a check value in 0..36, and only codes whose check value is below 32 are issued,
so that every printed symbol stays in the Crockford alphabet. Because 37 is prime and 2 has order
36 modulo 37, the check catches every single substitution, adjacent and jump transposition, twin
and jump-twin error (the property tests prove it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from enum import StrEnum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAYLOAD_LENGTH = 12
CODE_LENGTH = PAYLOAD_LENGTH + 1
MODULUS = 37
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# Crockford's decoding aliases: people read O as zero and I, L as one.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Separators people type or paste: spaces (also no-break ones) and hyphens or dashes.
_IGNORED = str.maketrans("", "", " -\t\r\n\u00a0\u2007\u202f\u2010\u2011\u2012\u2013\u2014\u2212")


class Shape(StrEnum):
    """What a piece of input is, before anyone looks it up."""

    VALID = "valid"
    MALFORMED = "malformed"
    TYPO = "typo"


def normalise(raw: str) -> str:
    """Canonical form of user input: upper case, separators dropped, Crockford aliases mapped.

    The result may still be malformed; ``shape`` says whether it is a code.
    """
    stripped = raw.translate(_IGNORED)
    if not stripped.isascii():
        # Unicode case mapping would turn some letters into code symbols (dotless i -> "I" -> "1").
        return stripped
    return stripped.upper().translate(_ALIASES)


def _weighted_sum(symbols: str) -> int:
    # ISO/IEC 7064 pure system, radix 2: fold left, multiply by the radix after each symbol.
    total = 0
    for symbol in symbols:
        total = (total + _VALUE[symbol]) * 2 % MODULUS
    return total


def check_value(payload: str) -> int:
    """The MOD 37-2 check value (0..36) of a payload of Crockford symbols."""
    return (MODULUS + 1 - _weighted_sum(payload)) % MODULUS


def has_valid_check(code: str) -> bool:
    """True when a normalised 13-symbol code's last symbol is the check of the rest."""
    payload, check = code[:-1], code[-1]
    return (_weighted_sum(payload) + _VALUE[check]) % MODULUS == 1


def shape(normalised: str) -> Shape:
    """Classify normalised input: not a code at all, a code with a failing check, or valid."""
    if len(normalised) != CODE_LENGTH or any(symbol not in _VALUE for symbol in normalised):
        return Shape.MALFORMED
    return Shape.VALID if has_valid_check(normalised) else Shape.TYPO


def generate(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A new canonical code; payloads whose check value is not a Crockford symbol are redrawn."""
    while True:
        payload = "".join(ALPHABET[randbelow(len(ALPHABET))] for _ in range(PAYLOAD_LENGTH))
        check = check_value(payload)
        if check < len(ALPHABET):
            return payload + ALPHABET[check]


def display(code: str) -> str:
    """Grouped form for people: ``K7Q2-XM4D-9T30-6``."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def _neighbours(code: str) -> Iterator[str]:
    for position, original in enumerate(code):
        for symbol in ALPHABET:
            if symbol != original:
                yield code[:position] + symbol + code[position + 1 :]
    for position in range(len(code) - 1):
        first, second = code[position], code[position + 1]
        if first != second:
            yield code[:position] + second + first + code[position + 2 :]


def typo_candidates(code: str) -> list[str]:
    """Valid codes one substitution or one adjacent transposition away from ``code``, sorted.

    About a dozen of the ~400 neighbours pass the check; the caller keeps the ones that exist.
    """
    return sorted({candidate for candidate in _neighbours(code) if has_valid_check(candidate)})
