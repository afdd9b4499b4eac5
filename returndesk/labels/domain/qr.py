"""The signed QR payload on return labels: ``RD1.<code>.<seller>.<exp>.<kid>.<sig>``.

Pure Python, no Django, so a counter (or ``returndesk qr-verify --keys``) can check a label with
nothing but the published keys.

- ``code``: the return's canonical code (13 Crockford symbols);
- ``seller``: the seller's external id in UTF-8, base64url without padding;
- ``exp``: the return's ``ship_by`` in Unix seconds (decimal, no sign, no leading zero);
- ``kid``: the first 4 bytes of SHA-256 of the signing key's raw 32-byte public key, lower-case hex;
- ``sig``: the 64-byte Ed25519 signature over the ASCII bytes before the last dot, base64url
  without padding.

Parsing is strict (one spelling per payload: canonical base64url, canonical integers), so a
payload that verifies is byte-for-byte the one that was signed. ``verify`` checks, in order, the
shape (``QrMalformed``), the key (``QrUnknownKey``), the signature (``QrBadSignature``), and only
then the time (``QrExpired``, which carries the payload): an expired label is still known genuine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from returndesk.labels.errors import QrBadSignature, QrExpired, QrMalformed, QrUnknownKey
from returndesk.returns.domain import codes

PREFIX = "RD1"
ALG = "Ed25519"
KEY_BYTES = 32
SIGNATURE_BYTES = 64
# Leading and trailing whitespace is what scanners add (a newline after the payload); nothing else
# is forgiven.
_SURROUNDING = " \t\r\n"
_KID = re.compile(r"[0-9a-f]{8}")
_EXP = re.compile(r"0|[1-9][0-9]{0,11}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class QrPayload:
    """What a verified (or merely parsed) payload says."""

    code: str
    seller: str
    exp: int
    kid: str

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.exp, tz=UTC)


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 4648 section 5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url; ``ValueError`` for anything else, including a spelling that
    is not the canonical one (stray bits in the last symbol)."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not unpadded base64url") from error
    if b64url_encode(data) != text:
        raise ValueError("not the canonical base64url spelling")
    return data


def generate_private_key() -> bytes:
    """A new Ed25519 private key: its 32 raw bytes (the RFC 8032 seed)."""
    return Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key_of(private_key: bytes) -> bytes:
    """The raw 32-byte public key of a raw 32-byte private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def kid_of(public_key: bytes) -> str:
    """The key id: the first 4 bytes of SHA-256 of the raw public key, lower-case hex."""
    return hashlib.sha256(public_key).digest()[:4].hex()


def signed_text(*, code: str, seller: str, exp: int, kid: str) -> str:
    """The part of a payload the signature covers (everything before the last dot)."""
    return f"{PREFIX}.{code}.{b64url_encode(seller.encode('utf-8'))}.{exp}.{kid}"


def sign(*, code: str, seller: str, exp: int, private_key: bytes) -> str:
    """The whole payload for a return, signed with ``private_key`` (raw 32 bytes)."""
    if codes.shape(code) is not codes.Shape.VALID:
        raise ValueError(f"{code!r} is not a canonical return code")
    if not seller:
        raise ValueError("the seller's external id is empty")
    if exp < 0:
        raise ValueError("exp is before 1970")
    signer = Ed25519PrivateKey.from_private_bytes(private_key)
    kid = kid_of(signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    text = signed_text(code=code, seller=seller, exp=exp, kid=kid)
    return f"{text}.{b64url_encode(signer.sign(text.encode('ascii')))}"


def _split(payload: str) -> tuple[QrPayload, str, bytes]:
    """The payload's fields, the text its signature covers, and the signature; ``QrMalformed``
    for anything that is not exactly one of our payloads."""
    text = payload.strip(_SURROUNDING)
    if not text.isascii():
        raise QrMalformed("The QR payload holds characters outside ASCII.")
    parts = text.split(".")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise QrMalformed("The QR payload is not of the form RD1.<code>.<seller>.<exp>.<kid>.<sig>.")
    _, code, seller_b64, exp_text, kid, sig_b64 = parts
    if codes.shape(code) is not codes.Shape.VALID:
        raise QrMalformed("The QR payload's code is not a canonical return code.")
    if not _EXP.fullmatch(exp_text):
        raise QrMalformed("The QR payload's exp is not a Unix time in seconds.")
    if not _KID.fullmatch(kid):
        raise QrMalformed("The QR payload's kid is not 8 lower-case hex digits.")
    try:
        seller = b64url_decode(seller_b64).decode("utf-8")
        signature = b64url_decode(sig_b64)
    except ValueError as error:  # UnicodeDecodeError is a ValueError too
        raise QrMalformed("The QR payload's seller or signature is not unpadded base64url.") from error
    if len(signature) != SIGNATURE_BYTES:
        raise QrMalformed(f"The QR payload's signature is not {SIGNATURE_BYTES} bytes.")
    fields = QrPayload(code=code, seller=seller, exp=int(exp_text), kid=kid)
    return fields, text.rpartition(".")[0], signature


def parse(payload: str) -> QrPayload:
    """The fields of a well-formed payload, signature unchecked (``verify`` checks it)."""
    return _split(payload)[0]


def verify(payload: str, *, public_keys: Mapping[str, bytes], now: datetime) -> QrPayload:
    """The fields of a payload signed by one of ``public_keys`` (raw keys by kid) and not expired at
    ``now`` (aware); expired means ``now`` is after ``exp``, so a payload is honoured up to and
    including its ``exp`` second.

    Raises ``QrMalformed``, ``QrUnknownKey``, ``QrBadSignature`` (all ``QrInvalid``) or
    ``QrExpired`` (which carries the payload), checked in that order.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    fields, text, signature = _split(payload)
    public_key = public_keys.get(fields.kid)
    if public_key is None:
        raise QrUnknownKey(f"No published key has the id {fields.kid}.")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, text.encode("ascii"))
    except (InvalidSignature, ValueError) as error:
        raise QrBadSignature("The QR payload's signature does not verify.") from error
    if now.timestamp() > fields.exp:
        raise QrExpired(fields)
    return fields
