"""Parcels that arrived at a seller without a return anyone could name. Pure Python."""

from __future__ import annotations

import secrets
from enum import StrEnum

# "PA" and 12 symbols of Crockford's Base32: 60 random bits, not a row count to guess from.
PARCEL_ID_PREFIX = "PA"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_SYMBOLS = 12
PARCEL_ID_LENGTH = len(PARCEL_ID_PREFIX) + _RANDOM_SYMBOLS


class ParcelStatus(StrEnum):
    UNMATCHED = "unmatched"
    MATCHED = "matched"


def parcel_id_generate() -> str:
    """A new public parcel id, e.g. ``PA7Q2XM4D9T30K``."""
    return PARCEL_ID_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_SYMBOLS))


def parcel_id_normalise(raw: str) -> str:
    """A parcel id as typed (any case, surrounding spaces) in its stored form."""
    return raw.strip().upper()
