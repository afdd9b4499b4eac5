"""The API key format, pure Python: ``rdk_`` + 8 public characters, ``_``, a 256-bit secret.

Only the public prefix and a SHA-256 digest of the secret are stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_NAMESPACE = "rdk_"
PREFIX_LENGTH = len(KEY_NAMESPACE) + 8
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
# What a carrier key's ``--carrier`` may be. A prefix has an underscore, so a carrier of its own
# (named by its key's prefix) can never be joined by a key naming it.
_CARRIER = re.compile(r"[a-z0-9-]{1,50}")


def carrier_name_valid(carrier: str) -> bool:
    return _CARRIER.fullmatch(carrier) is not None


def digest_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_prefix() -> str:
    return KEY_NAMESPACE + "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def split_token(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a whole key, or None when it does not have the key's shape."""
    prefix, separator, secret = (
        token[:PREFIX_LENGTH],
        token[PREFIX_LENGTH : PREFIX_LENGTH + 1],
        token[PREFIX_LENGTH + 1 :],
    )
    if separator != "_" or not secret or not prefix.startswith(KEY_NAMESPACE):
        return None
    return prefix, secret
