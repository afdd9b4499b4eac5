"""Response bodies of the labels API."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from returndesk.core.problems import ProblemOut
from returndesk.returns.domain.lifecycle import Status


class QrKeyOut(Schema):
    kid: str = Field(description="First 4 bytes of SHA-256 of the raw public key, lower-case hex")
    alg: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="The raw 32-byte Ed25519 public key, base64url without padding")
    not_after: AwareDatetime | None = Field(
        description="Until when to trust the key: a day after the latest exp it signed; null for the newest"
    )


class QrKeysOut(Schema):
    keys: list[QrKeyOut] = Field(description="Newest first")


class LabelUnavailableOut(ProblemOut):
    return_status: Status


PDF = {"schema": {"type": "string", "format": "binary"}}
