"""The pure QR payload: the issue's RFC 8032 test vector, and every way a payload is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from returndesk.labels.domain import qr
from returndesk.labels.errors import QrBadSignature, QrExpired, QrInvalid, QrMalformed, QrUnknownKey

# RFC 8032, section 7.1, test 1.
RFC_PRIVATE = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
VECTOR = (
    "RD1.K7Q2XM4D9T306.Uy0x.4102444800.21fe31df."
    "Gi5BD9rDz8f4ILP0nhYS-crtPKXdF7EfCBff8I6lW-ovfHCdt-KWPYzPmyVpS56HvpLhFNGg6aP5YcQ-plWlBg"
)
KEYS = {"21fe31df": RFC_PUBLIC}
BEFORE = datetime(2025, 1, 1, tzinfo=UTC)
EXP = datetime.fromtimestamp(4102444800, tz=UTC)  # 2100-01-01


def test_the_rfc_8032_vector_signs_and_verifies_as_the_issue_says() -> None:
    assert qr.public_key_of(RFC_PRIVATE) == RFC_PUBLIC
    assert qr.kid_of(RFC_PUBLIC) == "21fe31df"
    assert qr.sign(code="K7Q2XM4D9T306", seller="S-1", exp=4102444800, private_key=RFC_PRIVATE) == VECTOR
    assert qr.verify(VECTOR, public_keys=KEYS, now=BEFORE) == qr.QrPayload(
        code="K7Q2XM4D9T306", seller="S-1", exp=4102444800, kid="21fe31df"
    )


def test_a_generated_key_round_trips_a_non_ascii_seller() -> None:
    private = qr.generate_private_key()
    payload = qr.sign(code="K7Q2XM4D9T306", seller="Müller & Söhne.de", exp=1_800_000_000, private_key=private)
    public = qr.public_key_of(private)
    verified = qr.verify(payload, public_keys={qr.kid_of(public): public}, now=BEFORE)
    assert (verified.seller, verified.kid, verified.expires_at) == (
        "Müller & Söhne.de",
        qr.kid_of(public),
        datetime(2027, 1, 15, 8, 0, tzinfo=UTC),
    )


def test_a_scanners_trailing_newline_is_forgiven() -> None:
    assert qr.verify(VECTOR + "\r\n", public_keys=KEYS, now=BEFORE).code == "K7Q2XM4D9T306"


def test_expiry_counts_after_the_exp_second_and_carries_the_payload() -> None:
    assert qr.verify(VECTOR, public_keys=KEYS, now=EXP).exp == 4102444800
    with pytest.raises(QrExpired) as raised:
        qr.verify(VECTOR, public_keys=KEYS, now=EXP.replace(microsecond=1))
    assert (raised.value.payload.code, raised.value.code, raised.value.status) == ("K7Q2XM4D9T306", "qr_expired", 422)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "RD1.K7Q2XM4D9T306.Uy0x.4102444800.21fe31df",  # no signature
        VECTOR.replace("RD1.", "RD2.", 1),
        VECTOR.replace("K7Q2XM4D9T306", "K7Q2XM4D9T307"),  # check symbol wrong
        VECTOR.replace("K7Q2XM4D9T306", "k7q2xm4d9t306"),  # not canonical
        VECTOR.replace("Uy0x", "Uy0x="),  # padding
        VECTOR.replace("Uy0x", "Uy1"),  # a stray bit in the last symbol
        VECTOR.replace(".4102444800.", ".04102444800."),
        VECTOR.replace(".4102444800.", ".-1."),
        VECTOR.replace("21fe31df", "21FE31DF"),
        VECTOR[:-2],  # a 63-byte signature
        VECTOR + ".x",
        VECTOR.replace("Uy0x", "_w"),  # not UTF-8
        VECTOR.replace("Gi5B", "Gé5B"),
    ],
)
def test_malformed_payloads_are_refused_before_any_key_is_looked_up(payload: str) -> None:
    with pytest.raises(QrMalformed) as raised:
        qr.verify(payload, public_keys={}, now=BEFORE)
    assert (raised.value.code, raised.value.reason, raised.value.status) == ("qr_invalid", "malformed", 422)


def test_an_unknown_kid_and_a_bad_signature_are_distinct_invalid_payloads() -> None:
    with pytest.raises(QrUnknownKey) as unknown:
        qr.verify(VECTOR, public_keys={"00000000": RFC_PUBLIC}, now=BEFORE)
    tampered = VECTOR.replace(".4102444800.", ".4102444801.")
    with pytest.raises(QrBadSignature) as bad:
        qr.verify(tampered, public_keys=KEYS, now=EXP.replace(year=2200))
    assert isinstance(unknown.value, QrInvalid)
    assert isinstance(bad.value, QrInvalid)
    assert (unknown.value.reason, bad.value.reason) == ("unknown_kid", "bad_signature")


def test_sign_refuses_what_no_payload_may_hold() -> None:
    with pytest.raises(ValueError, match="canonical return code"):
        qr.sign(code="K7Q2-XM4D-9T306", seller="S-1", exp=1, private_key=RFC_PRIVATE)


def test_verify_wants_an_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        qr.verify(VECTOR, public_keys=KEYS, now=datetime(2025, 1, 1))
