"""Why a label cannot be printed or a QR payload is refused. Pure Python: the QR domain raises these."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from returndesk.core.errors import Conflict, Unprocessable

if TYPE_CHECKING:
    from returndesk.labels.domain.qr import QrPayload


class LabelUnavailable(Conflict):
    """Labels and packing slips exist for approved returns only; the answer names the status."""

    code, title = "label_unavailable", "Labels are printed for approved returns only"

    def __init__(self, *, return_status: str) -> None:
        super().__init__(
            f"This return is {return_status}; its label is available while it is approved.",
            extra={"return_status": return_status},
        )
        self.return_status = return_status


class QrInvalid(Unprocessable):
    """A QR payload that is not one of ours: malformed, signed by a key nobody published, or with a
    signature that does not verify. ``reason`` tells which (the CLI and logs print it)."""

    code, title = "qr_invalid", "The QR code is not a valid returndesk label"
    reason: ClassVar[str] = "invalid"


class QrMalformed(QrInvalid):
    reason = "malformed"


class QrUnknownKey(QrInvalid):
    reason = "unknown_kid"


class QrBadSignature(QrInvalid):
    reason = "bad_signature"


class QrExpired(Unprocessable):
    """A genuine payload whose ``exp`` (the return's ship-by) has passed. Not a ``QrInvalid``: the
    signature is fine, and the caller may still want what it says (``payload``)."""

    code, title = "qr_expired", "The QR code's ship-by date has passed"

    def __init__(self, payload: QrPayload) -> None:
        super().__init__(f"This label's QR code expired at Unix time {payload.exp}.")
        self.payload = payload
