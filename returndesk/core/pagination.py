"""Keyset cursors: newest first by (created_at, id), opaque to clients.

A cursor names the last row of a page and the filters that page was read under, so a client
cannot carry it to a differently filtered list and silently skip rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime

from returndesk.core.errors import ValidationFailed

_MAX_ID = 2**63  # bigint: a larger id would overflow the database's parameter, not just match nothing
_EARLIEST, _LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def filters_digest(filters: object) -> str:
    """A short, stable fingerprint of the filters a page was read under."""
    return hashlib.sha256(repr(filters).encode()).hexdigest()[:12]


def cursor_encode(created_at: datetime, pk: int, *, filters: object) -> str:
    text = f"{created_at.isoformat()}|{pk}|{filters_digest(filters)}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(
        message, errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "invalid_cursor"}]
    )


def cursor_decode(cursor: str, *, filters: object) -> tuple[datetime, int]:
    """The (created_at, id) a cursor continues after, or 422 ``validation_error``."""
    try:
        created_text, pk_text, digest = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        created_at, pk = datetime.fromisoformat(created_text), int(pk_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise _invalid("The cursor is not one this API issued.") from error
    if created_at.tzinfo is None or not 0 < pk < _MAX_ID or not _EARLIEST <= created_at < _LATEST:
        raise _invalid("The cursor is not one this API issued.")
    if digest != filters_digest(filters):
        raise _invalid("The cursor belongs to a list read with other filters; start again without it.")
    return created_at, pk


# Lists in the order of a text column (staff by email): the cursor names the last row's text and id.


def text_cursor_encode(text: str, pk: int, *, filters: object) -> str:
    payload = f"{pk}|{filters_digest(filters)}|{text}"
    return base64.urlsafe_b64encode(payload.encode()).decode()


def text_cursor_decode(cursor: str, *, filters: object) -> tuple[str, int]:
    """The (text, id) a cursor continues after, or 422 ``validation_error``."""
    try:
        pk_text, digest, text = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 2)
        pk = int(pk_text)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise _invalid("The cursor is not one this API issued.") from error
    if not 0 < pk < _MAX_ID or "\x00" in text:
        raise _invalid("The cursor is not one this API issued.")
    if digest != filters_digest(filters):
        raise _invalid("The cursor belongs to a list read with other filters; start again without it.")
    return text, pk
