"""The one error hierarchy of returndesk.

Every error a client can cause is a ``ReturndeskError`` subclass that carries its machine
``code`` and HTTP ``status``; the API renders any of them as RFC 9457 problem details. This
module imports nothing from Django so that the pure domain can raise these errors too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from typing import Any, ClassVar, cast


class ReturndeskError(Exception):
    """Base of every error a client can cause; never a 500.

    ``lasting_effects`` are writes the refusal must not undo (a failed look-up's count, an
    anomaly the refusal itself reports): the service that raises ran them in a transaction of
    their own first. A caller that rolls the service's work back in an enclosing transaction of
    its own (``core.idempotency``) runs them again after that rollback, once; they never raise.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"
    lasting_effects: tuple[Callable[[], None], ...] = ()

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        self.errors = errors
        self.extra = extra or {}
        super().__init__(self.detail)


class MalformedJson(ReturndeskError):
    status, code, title = 400, "malformed_json", "The request body is not valid JSON"


class HostNotAllowed(ReturndeskError):
    status, code, title = 400, "disallowed_host", "This server does not answer for that host name"


class Unauthenticated(ReturndeskError):
    status, code, title = 401, "unauthenticated", "A valid API key is required"


class Forbidden(ReturndeskError):
    """The caller's role may not use this route at all."""

    status, code, title = 403, "forbidden", "This key's role may not use this route"


class ForbiddenPage(Forbidden):
    """A signed-in person whose role has no business on this portal (a counter clerk on the seller's)."""

    title = "Your role may not use this page"


class CsrfFailed(ReturndeskError):
    """A page's form came without its CSRF token, or with a stale one; the API takes no cookies, so
    only pages answer this."""

    status, code, title = 403, "csrf_failed", "This form could not be accepted"


class ForbiddenAction(ReturndeskError):
    """The caller may see the object but may not take this action on it."""

    status, code, title = 403, "forbidden_action", "This key may not take this action"


class NotFound(ReturndeskError):
    status, code, title = 404, "not_found", "No such object"


class MethodNotAllowed(ReturndeskError):
    status, code, title = 405, "method_not_allowed", "This route does not take this HTTP method"


class Conflict(ReturndeskError):
    status, code, title = 409, "conflict", "The request conflicts with the current state"


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "This action is not possible in the return's current status"


class IdempotencyAnswerWithheld(Conflict):
    """A repeat of a request whose answer held a secret: the effect happened once, and the
    secret was shown once; neither is repeated."""

    code, title = "idempotent_answer_withheld", "The first answer to this Idempotency-Key held a secret, not kept"


class PayloadTooLarge(ReturndeskError):
    status, code, title = 413, "payload_too_large", "The request body is too large"


class UriTooLong(ReturndeskError):
    status, code, title = 414, "uri_too_long", "The request's path and query are too long"


class UnsupportedMediaType(ReturndeskError):
    status, code, title = 415, "unsupported_media_type", "The request body must be JSON"


class Unprocessable(ReturndeskError):
    status, code, title = 422, "unprocessable", "The request cannot be processed"


class ValidationFailed(Unprocessable):
    code, title = "validation_error", "Some fields are invalid"


class IdempotencyKeyReused(Unprocessable):
    code, title = "idempotency_key_reused", "This Idempotency-Key was used with a different body"


class RateLimited(ReturndeskError):
    status, code, title = 429, "rate_limited", "Too many failed look-ups"

    def __init__(self, detail: str | None = None, *, retry_after: int) -> None:
        super().__init__(detail, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class ServerError(ReturndeskError):
    """Only for rendering: a bug answered as problem details; the traceback goes to the log."""

    status, code, title = 500, "internal_error", "Something went wrong on our side"


_BY_STATUS: dict[int, type[ReturndeskError]] = {
    error.status: error
    for error in (
        ReturndeskError,
        Unauthenticated,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UriTooLong,
        UnsupportedMediaType,
        Unprocessable,
        ServerError,
    )
}


@cache
def error_for_status(status: int) -> type[ReturndeskError]:
    """The error class for a bare HTTP status that no code of ours raised (a framework's 4xx or 5xx).

    Statuses without a class of their own get one named after their reason phrase
    (503: ``service_unavailable``), so every error answer still carries a machine code.
    """
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Server error" if status >= 500 else "Client error"
    code = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return cast(
        "type[ReturndeskError]",
        type(f"HttpStatus{status}", (ReturndeskError,), {"status": status, "code": code, "title": title}),
    )
