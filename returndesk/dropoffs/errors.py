"""Why a drop-off point or a handover is refused."""

from __future__ import annotations

from returndesk.core.errors import Conflict, NotFound, Unprocessable
from returndesk.returns.domain import codes
from returndesk.returns.domain.verification import Verdict


class UnknownPoint(Unprocessable):
    code, title = "unknown_point", "The caller's carrier has no active drop-off point with this id"


class ReceiptNotFound(NotFound):
    code, title = "not_found", "No receipt with this id is visible to this key"


class NotAcceptableAtCounter(Conflict):
    """The verifier's verdict on the code was not ``valid``: nothing was handed over.

    The answer carries the verdict as ``GET /codes/{code}`` gives it: ``result``, ``reason``,
    ``message``, and for a typo ``suggestions`` (canonical) and ``suggestions_display``.
    """

    code, title = "not_acceptable_at_counter", "The parcel may not be accepted with this code"

    def __init__(self, verdict: Verdict, *, suggestions: list[str] | None = None) -> None:
        suggestions = suggestions or []
        super().__init__(
            verdict.message,
            extra={
                "result": verdict.result.value,
                "reason": verdict.reason.value if verdict.reason else None,
                "message": verdict.message,
                "suggestions": suggestions,
                "suggestions_display": [codes.display(code) for code in suggestions],
            },
        )
        self.verdict = verdict
