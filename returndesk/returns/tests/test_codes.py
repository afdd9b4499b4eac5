"""Return codes: generation, normalisation, the MOD 37-2 check, typo suggestions, display.

Pure Python: no Django, no database. The reference check below is written from the ISO/IEC 7064
definition, independently of ``codes._weighted_sum``.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from returndesk.returns.domain.codes import (
    ALPHABET,
    CODE_LENGTH,
    MODULUS,
    PAYLOAD_LENGTH,
    Shape,
    check_value,
    display,
    generate,
    has_valid_check,
    normalise,
    shape,
    typo_candidates,
)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REF_VALUE = {symbol: value for value, symbol in enumerate(CROCKFORD)}


# --- An independent reference implementation of ISO/IEC 7064 MOD 37-2 -------------------------
#
# Pure system, M = 37, r = 2. Number the characters of the full code from the right, starting at
# 1 with the check character: character j has weight r^(j-1). The code is valid when
# sum(value_j * 2^(j-1)) = 1 (mod 37). For a payload a_1..a_n (left to right) followed by the
# check, a_i sits at position j = n - i + 2 and so has weight 2^(n-i+1); the check has weight 2^0.


def ref_payload_sum(payload: str) -> int:
    n = len(payload)
    return sum(REF_VALUE[symbol] * pow(2, n - i + 1, 37) for i, symbol in enumerate(payload, start=1))


def ref_check_value(payload: str) -> int:
    return (1 - ref_payload_sum(payload)) % 37


def ref_is_valid(code: str) -> bool:
    weighted = sum(REF_VALUE[symbol] * pow(2, j - 1, 37) for j, symbol in enumerate(reversed(code), start=1))
    return weighted % 37 == 1


def ref_code(payload: str) -> str:
    return payload + CROCKFORD[ref_check_value(payload)]


# --- Strategies --------------------------------------------------------------------------------

symbols = st.sampled_from(CROCKFORD)
payloads = st.text(alphabet=CROCKFORD, min_size=PAYLOAD_LENGTH, max_size=PAYLOAD_LENGTH)
valid_codes = payloads.filter(lambda payload: ref_check_value(payload) < 32).map(ref_code)
generated_codes = st.randoms(use_true_random=False).map(lambda rnd: generate(rnd.randrange))


def _complete(template: list[str], free: int) -> str | None:
    """Fill position ``free`` of a 13-symbol template so that the code is valid, if a symbol can."""
    fits = [
        symbol
        for symbol in CROCKFORD
        if ref_is_valid("".join(template[:free]) + symbol + "".join(template[free + 1 :]))
    ]
    return "".join(template[:free]) + fits[0] + "".join(template[free + 1 :]) if fits else None


@st.composite
def valid_code_with(draw: st.DrawFn, fixed: dict[int, str], *, span: int) -> tuple[str, int]:
    """A valid code whose symbols at ``start + offset`` are ``fixed[offset]``; returns (code, start)."""
    start = draw(st.integers(0, CODE_LENGTH - span))
    template = draw(st.lists(symbols, min_size=CODE_LENGTH, max_size=CODE_LENGTH))
    for offset, symbol in fixed.items():
        template[start + offset] = symbol
    free = draw(st.sampled_from([p for p in range(CODE_LENGTH) if p - start not in fixed]))
    code = _complete(template, free)
    assume(code is not None)
    assert code is not None
    return code, start


@st.composite
def pattern_cases(draw: st.DrawFn, *, gap: int, twin: bool) -> tuple[str, str, str, int]:
    """Distinct symbols a, b and a valid code with a at ``start`` and a (twin) or b at ``start + gap``."""
    a = draw(symbols)
    b = draw(symbols.filter(lambda symbol: symbol != a))
    code, start = draw(valid_code_with({0: a, gap: a if twin else b}, span=gap + 1))
    return a, b, code, start


# --- Mutations ---------------------------------------------------------------------------------


def substitute(code: str, position: int, symbol: str) -> str:
    return code[:position] + symbol + code[position + 1 :]


def transpose(code: str, position: int) -> str:
    return code[:position] + code[position + 1] + code[position] + code[position + 2 :]


def all_substitutions(code: str) -> list[str]:
    return [substitute(code, p, s) for p in range(len(code)) for s in CROCKFORD if s != code[p]]


def all_adjacent_transpositions(code: str) -> list[str]:
    return [transpose(code, p) for p in range(len(code) - 1) if code[p] != code[p + 1]]


def all_jump_transpositions(code: str) -> list[str]:
    return [
        code[:p] + code[p + 2] + code[p + 1] + code[p] + code[p + 3 :]
        for p in range(len(code) - 2)
        if code[p] != code[p + 2]
    ]


def all_twin_errors(code: str) -> list[str]:
    return [
        code[:p] + s + s + code[p + 2 :]
        for p in range(len(code) - 1)
        if code[p] == code[p + 1]
        for s in CROCKFORD
        if s != code[p]
    ]


def all_jump_twin_errors(code: str) -> list[str]:
    return [
        code[:p] + s + code[p + 1] + s + code[p + 3 :]
        for p in range(len(code) - 2)
        if code[p] == code[p + 2]
        for s in CROCKFORD
        if s != code[p]
    ]


def is_one_edit(before: str, after: str) -> bool:
    """Exactly one substitution, or exactly one transposition of two adjacent distinct symbols."""
    if len(before) != len(after):
        return False
    differing = [p for p in range(len(before)) if before[p] != after[p]]
    substitution = len(differing) == 1
    transposition = (
        len(differing) == 2 and differing[1] == differing[0] + 1 and transpose(before, differing[0]) == after
    )
    return substitution or transposition


def reference_candidates(code: str) -> list[str]:
    return sorted({c for c in all_substitutions(code) + all_adjacent_transpositions(code) if ref_is_valid(c)})


def seeded_payloads(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(CROCKFORD) for _ in range(PAYLOAD_LENGTH)) for _ in range(count)]


SEEDED_CODES = [ref_code(p) for p in seeded_payloads(20260301, 400) if ref_check_value(p) < 32][:200]


def scripted(values: list[int]) -> tuple[Callable[[int], int], list[int]]:
    """A deterministic ``randbelow`` that yields ``values`` in order and records its bounds."""
    bounds: list[int] = []
    feed: Iterator[int] = iter(values)

    def randbelow(bound: int) -> int:
        bounds.append(bound)
        return next(feed)

    return randbelow, bounds


def payload_values(payload: str) -> list[int]:
    return [REF_VALUE[symbol] for symbol in payload]


# --- Constants ---------------------------------------------------------------------------------


def test_constants_describe_crockford_and_mod_37_2() -> None:
    assert ALPHABET == CROCKFORD
    assert len(set(ALPHABET)) == 32
    assert set(ALPHABET).isdisjoint("ILOU")
    assert (PAYLOAD_LENGTH, CODE_LENGTH, MODULUS) == (12, 13, 37)


def test_seeded_sample_has_200_codes() -> None:
    assert len(SEEDED_CODES) == 200
    assert len(set(SEEDED_CODES)) == 200


# --- Known answers and the reference check -----------------------------------------------------

# Weights 2^k mod 37 for k = 1..12: 2, 4, 8, 16, 32, 27, 17, 34, 31, 25, 13, 26.
# K7Q2XM4D9T30 = 19,7,23,2,29,20,4,13,9,26,3,0 with weights 26,13,25,31,34,17,27,32,16,8,4,2:
# 494+91+575+62+986+340+108+416+144+208+12+0 = 3436 = 92*37 + 32, check = (1 - 32) mod 37 = 6.
# ZZZZZZZZZZZZ: 31 * (2^13 - 2) = 31 * 8190; 8190 = 13 (mod 37); 31 * 13 = 403 = 33 (mod 37) -> 5.
KNOWN_ANSWERS = [
    ("000000000000", 1),
    ("000000000001", 36),  # 1 * 2^1 = 2 -> 1 - 2 = -1 = 36
    ("000000000003", 32),  # 3 * 2 = 6 -> 1 - 6 = -5 = 32, the smallest value that is not a symbol
    ("000001100000", 31),  # 2^7 + 2^6 = 17 + 27 = 44 = 7 -> 1 - 7 = -6 = 31, the largest symbol
    ("100000000000", 12),  # 2^12 = 4096 = 26 (mod 37) -> 1 - 26 = -25 = 12
    ("K7Q2XM4D9T30", 6),
    ("ZZZZZZZZZZZZ", 5),
]


@pytest.mark.parametrize(("payload", "expected"), KNOWN_ANSWERS)
def test_check_value_known_answers(payload: str, expected: int) -> None:
    assert check_value(payload) == expected
    assert ref_check_value(payload) == expected


@pytest.mark.parametrize(("payload", "expected"), [(p, c) for p, c in KNOWN_ANSWERS if c < 32])
def test_known_answer_codes_are_valid(payload: str, expected: int) -> None:
    code = payload + CROCKFORD[expected]
    assert has_valid_check(code) is True
    assert shape(code) is Shape.VALID


def test_example_code_from_the_domain_brief_is_valid() -> None:
    assert shape("K7Q2XM4D9T306") is Shape.VALID


@given(st.text(alphabet=CROCKFORD, max_size=24))
def test_check_value_matches_reference_for_any_length(payload: str) -> None:
    assert check_value(payload) == ref_check_value(payload)


@given(payloads)
def test_check_value_matches_reference_and_full_sum_is_one(payload: str) -> None:
    check = check_value(payload)
    assert check == ref_check_value(payload)
    assert 0 <= check < 37
    assert (ref_payload_sum(payload) + check * 2**0) % 37 == 1


def test_check_value_matches_reference_on_seeded_payloads() -> None:
    sample = seeded_payloads(7064, 2000)
    assert [check_value(p) for p in sample] == [ref_check_value(p) for p in sample]


def test_every_check_value_occurs() -> None:
    sample = seeded_payloads(37, 3000)
    assert {check_value(p) for p in sample} == set(range(37))


# --- Generation --------------------------------------------------------------------------------


@given(generated_codes)
def test_generated_codes_are_valid_crockford(code: str) -> None:
    assert len(code) == 13
    assert set(code) <= set(CROCKFORD)
    assert has_valid_check(code) is True
    assert ref_is_valid(code) is True
    assert shape(code) is Shape.VALID
    assert code[-1] == CROCKFORD[ref_check_value(code[:-1])]


def test_generate_with_the_default_randomness() -> None:
    codes = [generate() for _ in range(200)]
    assert [shape(code) for code in codes] == [Shape.VALID] * 200
    assert len(set(codes)) == 200


def test_generate_redraws_a_payload_whose_check_value_is_36() -> None:
    randbelow, bounds = scripted(payload_values("000000000001") + payload_values("000000000000"))
    assert generate(randbelow) == "0000000000001"
    assert bounds == [32] * 24


def test_generate_redraws_a_payload_whose_check_value_is_32() -> None:
    randbelow, bounds = scripted(payload_values("000000000003") + payload_values("K7Q2XM4D9T30"))
    assert generate(randbelow) == "K7Q2XM4D9T306"
    assert bounds == [32] * 24


def test_generate_redraws_until_the_check_is_a_symbol() -> None:
    values = payload_values("000000000001") + payload_values("000000000003") + payload_values("100000000000")
    randbelow, bounds = scripted(values)
    assert generate(randbelow) == "100000000000C"
    assert bounds == [32] * 36


def test_generate_keeps_a_payload_whose_check_value_is_31() -> None:
    randbelow, bounds = scripted(payload_values("000001100000"))
    assert generate(randbelow) == "000001100000Z"
    assert bounds == [32] * 12


# --- Normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("K7Q2XM4D9T306", "K7Q2XM4D9T306"),
        ("k7q2xm4d9t306", "K7Q2XM4D9T306"),
        ("K7Q2-XM4D-9T30-6", "K7Q2XM4D9T306"),
        ("k7q2-xm4d-9t30-6\n", "K7Q2XM4D9T306"),
        ("K7Q2 XM4D 9T30 6", "K7Q2XM4D9T306"),
        ("  K7Q2 - XM4D - 9T30 - 6  ", "K7Q2XM4D9T306"),
        ("K7Q2\tXM4D\r\n9T30-6\r\n", "K7Q2XM4D9T306"),
        ("--K7Q2XM4D9T306--", "K7Q2XM4D9T306"),
        ("K7Q2XM4D9T3O6", "K7Q2XM4D9T306"),
        ("k7q2xm4d9t3o6", "K7Q2XM4D9T306"),
        ("O", "0"),
        ("o", "0"),
        ("I", "1"),
        ("i", "1"),
        ("L", "1"),
        ("l", "1"),
        ("OoIiLl01", "00111101"),
        ("u", "U"),
        ("", ""),
        (" - \n", ""),
        ("a*b!", "A*B!"),
        # Pasted from mail or a PDF: no-break spaces and en/em dashes are separators too.
        ("K7Q2\u2013XM4D\u20149T30\u00a06", "K7Q2XM4D9T306"),
        # Unicode case mapping must not conjure code symbols: dotless i, sharp s, ligatures stay put.
        ("\u0131" * 13, "\u0131" * 13),
        ("k7q2xm4d9t3\u00df", "k7q2xm4d9t3\u00df"),
    ],
)
def test_normalise_examples(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@given(generated_codes)
def test_normalise_inverts_display(code: str) -> None:
    assert normalise(display(code)) == code


@given(valid_codes)
def test_normalise_is_identity_on_codes(code: str) -> None:
    assert normalise(code) == code


ALIASES = {"0": ["0", "O", "o"], "1": ["1", "I", "i", "L", "l"]}


@st.composite
def typed_forms(draw: st.DrawFn) -> tuple[str, str]:
    """A valid code and a way a person might type it: any case, aliases, separators, newline."""
    code = draw(valid_codes)
    pieces = []
    for symbol in code:
        pieces.append(draw(st.sampled_from(ALIASES.get(symbol, [symbol, symbol.lower()]))))
        pieces.append(draw(st.text(alphabet=" -\t", max_size=2)))
    prefix = draw(st.text(alphabet=" -", max_size=3))
    suffix = draw(st.sampled_from(["", "\n", "\r\n", " \n"]))
    return code, prefix + "".join(pieces) + suffix


@given(typed_forms())
def test_normalise_recovers_the_code_from_typed_forms(case: tuple[str, str]) -> None:
    code, typed = case
    assert normalise(typed) == code
    assert shape(normalise(typed)) is Shape.VALID


@given(st.text(alphabet=string.printable))
def test_normalise_is_idempotent_and_canonical_on_ascii(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert set(once).isdisjoint(" -\t\r\nOIL" + string.ascii_lowercase)


# --- Shape -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "K7Q2XM4D9T30",  # 12 symbols
        "K7Q2XM4D9T3060",  # 14 symbols
        "K",
        "K7Q2XM4D9T306K7Q2XM4D9T306",
        "K7Q2XM4D9T30U",  # U is not Crockford
        "K7Q2XM4D9T30*",  # MOD 37-2's own 37th symbol is not issued
        "K7Q2XM4D9T30!",
        "!7Q2XM4D9T306",
        "K7Q2XM4D9T3O6",  # not normalised: O
        "K7Q2XM4D9T3I6",  # not normalised: I
        "K7Q2XM4D9T3L6",  # not normalised: L
        "k7q2xm4d9t306",  # not normalised: lower case
        "K7Q2-XM4D-9T30-6",  # not normalised: hyphens
        "K7Q2XM4D9T30 ",
        "K7Q2XM4D9T30\u00e9",
    ],
)
def test_shape_malformed(raw: str) -> None:
    assert shape(raw) is Shape.MALFORMED


@pytest.mark.parametrize("raw", ["k7q2-xm4d-9t30-u", "K7Q2-XM4D-9T30-*", "K7Q2-XM4D-9T30", "", "!" * 13])
def test_shape_of_normalised_input_malformed(raw: str) -> None:
    assert shape(normalise(raw)) is Shape.MALFORMED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("K7Q2XM4D9T306", Shape.VALID),
        ("K7Q2XM4D9T307", Shape.TYPO),
        ("K7Q2XM4D9T360", Shape.TYPO),
        ("0000000000001", Shape.VALID),
        ("0000000000000", Shape.TYPO),
        ("000001100000Z", Shape.VALID),
    ],
)
def test_shape_examples(raw: str, expected: Shape) -> None:
    assert shape(raw) is expected


@given(st.text(max_size=20))
def test_shape_of_any_normalised_text(raw: str) -> None:
    normalised = normalise(raw)
    well_formed = len(normalised) == 13 and set(normalised) <= set(CROCKFORD)
    expected = {
        (False, False): Shape.MALFORMED,
        (False, True): Shape.MALFORMED,
        (True, False): Shape.TYPO,
        (True, True): Shape.VALID,
    }
    assert shape(normalised) is expected[well_formed, well_formed and ref_is_valid(normalised)]


@given(st.text(alphabet=CROCKFORD, min_size=13, max_size=13))
def test_shape_of_well_formed_strings_follows_the_reference(code: str) -> None:
    assert shape(code) is (Shape.VALID if ref_is_valid(code) else Shape.TYPO)
    assert has_valid_check(code) is ref_is_valid(code)


# --- Error detection: property tests -----------------------------------------------------------


@given(valid_codes, st.integers(0, 12), st.integers(1, 31))
def test_detects_every_single_substitution(code: str, position: int, shift: int) -> None:
    replacement = CROCKFORD[(REF_VALUE[code[position]] + shift) % 32]
    mutated = substitute(code, position, replacement)
    assert mutated != code
    assert shape(mutated) is Shape.TYPO


@given(valid_codes, st.integers(0, 11))
def test_detects_every_adjacent_transposition(code: str, position: int) -> None:
    assume(code[position] != code[position + 1])
    assert shape(transpose(code, position)) is Shape.TYPO


@given(pattern_cases(gap=1, twin=False))
def test_detects_adjacent_transposition_at_every_position(case: tuple[str, str, str, int]) -> None:
    a, b, code, start = case
    assert shape(code) is Shape.VALID
    assert code[start : start + 2] == a + b
    assert shape(transpose(code, start)) is Shape.TYPO


@given(pattern_cases(gap=2, twin=False))
def test_detects_every_jump_transposition(case: tuple[str, str, str, int]) -> None:
    a, c, code, start = case
    b = code[start + 1]
    mutated = code[:start] + c + b + a + code[start + 3 :]
    assert shape(code) is Shape.VALID
    assert code[start : start + 3] == a + b + c
    assert shape(mutated) is Shape.TYPO


@given(pattern_cases(gap=1, twin=True))
def test_detects_every_twin_error(case: tuple[str, str, str, int]) -> None:
    a, b, code, start = case
    mutated = code[:start] + b + b + code[start + 2 :]
    assert shape(code) is Shape.VALID
    assert code[start : start + 2] == a + a
    assert shape(mutated) is Shape.TYPO


@given(pattern_cases(gap=2, twin=True))
def test_detects_every_jump_twin_error(case: tuple[str, str, str, int]) -> None:
    a, c, code, start = case
    b = code[start + 1]
    mutated = code[:start] + c + b + c + code[start + 3 :]
    assert shape(code) is Shape.VALID
    assert code[start] == code[start + 2] == a
    assert shape(mutated) is Shape.TYPO


# --- Error detection: exhaustive over a fixed sample -------------------------------------------


def test_sample_codes_are_valid() -> None:
    assert [shape(code) for code in SEEDED_CODES] == [Shape.VALID] * 200


def test_exhaustive_single_substitutions_on_sample() -> None:
    mutations = [m for code in SEEDED_CODES for m in all_substitutions(code)]
    assert len(mutations) == 200 * 13 * 31
    assert [m for m in mutations if shape(m) is not Shape.TYPO] == []


def test_exhaustive_adjacent_transpositions_on_sample() -> None:
    mutations = [m for code in SEEDED_CODES for m in all_adjacent_transpositions(code)]
    assert len(mutations) > 200 * 11
    assert [m for m in mutations if shape(m) is not Shape.TYPO] == []


def test_exhaustive_jump_transpositions_on_sample() -> None:
    mutations = [m for code in SEEDED_CODES for m in all_jump_transpositions(code)]
    assert len(mutations) > 200 * 10
    assert [m for m in mutations if shape(m) is not Shape.TYPO] == []


def test_exhaustive_twin_and_jump_twin_errors_on_sample() -> None:
    mutations = [m for code in SEEDED_CODES for m in all_twin_errors(code) + all_jump_twin_errors(code)]
    assert len(mutations) > 0
    assert [m for m in mutations if shape(m) is not Shape.TYPO] == []


# --- Typo candidates ---------------------------------------------------------------------------


@given(valid_codes, st.integers(0, 12), st.integers(1, 31))
def test_typo_candidates_recover_a_substitution(code: str, position: int, shift: int) -> None:
    mutated = substitute(code, position, CROCKFORD[(REF_VALUE[code[position]] + shift) % 32])
    candidates = typo_candidates(mutated)
    assert code in candidates
    assert candidates == reference_candidates(mutated)


@given(valid_codes, st.integers(0, 11))
def test_typo_candidates_recover_an_adjacent_transposition(code: str, position: int) -> None:
    assume(code[position] != code[position + 1])
    mutated = transpose(code, position)
    candidates = typo_candidates(mutated)
    assert code in candidates
    assert candidates == reference_candidates(mutated)


@given(st.text(alphabet=CROCKFORD, min_size=13, max_size=13))
def test_typo_candidates_are_valid_sorted_unique_single_edits(raw: str) -> None:
    candidates = typo_candidates(raw)
    assert candidates == sorted(set(candidates))
    assert [shape(c) for c in candidates] == [Shape.VALID] * len(candidates)
    assert [c for c in candidates if not is_one_edit(raw, c)] == []
    assert raw not in candidates
    assert candidates == reference_candidates(raw)


def test_typo_candidates_of_a_known_typo() -> None:
    candidates = typo_candidates("K7Q2XM4D9T307")
    assert "K7Q2XM4D9T306" in candidates
    assert candidates == reference_candidates("K7Q2XM4D9T307")
    assert candidates == sorted(set(candidates))
    assert [shape(c) for c in candidates] == [Shape.VALID] * len(candidates)


@pytest.mark.parametrize("code", ["0000000000001", "K7Q2XM4D9T306", "000001100000Z"])
def test_typo_candidates_of_a_valid_code_exclude_it(code: str) -> None:
    candidates = typo_candidates(code)
    assert code not in candidates
    assert candidates == reference_candidates(code)


def test_typo_candidates_recover_every_mutation_of_the_sample() -> None:
    missed = [
        (code, m)
        for code in SEEDED_CODES[:10]
        for m in all_substitutions(code) + all_adjacent_transpositions(code)
        if code not in typo_candidates(m)
    ]
    assert missed == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("ABCD", "ABCE", True),
        ("ABCD", "BACD", True),
        ("ABCD", "ABDC", True),
        ("ABCD", "ABCD", False),
        ("ABCD", "CBAD", False),
        ("ABCD", "ABEF", False),
        ("ABCD", "ABC", False),
    ],
)
def test_is_one_edit_helper(before: str, after: str, expected: bool) -> None:
    assert is_one_edit(before, after) is expected


# --- Display -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("K7Q2XM4D9T306", "K7Q2-XM4D-9T30-6"),
        ("K7Q2XM4D9T307", "K7Q2-XM4D-9T30-7"),  # display does not check
        ("0000000000001", "0000-0000-0000-1"),
    ],
)
def test_display_examples(code: str, expected: str) -> None:
    assert display(code) == expected


@given(generated_codes)
def test_display_groups_four_four_four_one(code: str) -> None:
    shown = display(code)
    assert shown == f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12]}"
    assert [len(group) for group in shown.split("-")] == [4, 4, 4, 1]
    assert len(shown) == 16
