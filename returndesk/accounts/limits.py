"""How often people may try to sign in: failed staff sign-ins a minute, sign-in link and password
reset requests an hour, each per address (lower-cased) and per client address.

Counted in the verifier's shared store (Redis, or the database), each limit in its own window.
A request is refused alike whether or not the address has an account: the limits tell nobody
which addresses do.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings

from returndesk.accounts.errors import TooManyAttempts
from returndesk.core.ratelimit import FailureLimiter


def _setting(name: str) -> int:
    return int(settings.RETURNDESK[name])


_TRY_AGAIN = "Too many attempts; try again in {retry_after} seconds."
sign_in_failures_per_email = FailureLimiter(
    limit=lambda: _setting("SIGN_IN_FAILURES_PER_MINUTE_PER_EMAIL"), error=TooManyAttempts, message=_TRY_AGAIN
)
sign_in_failures_per_client = FailureLimiter(
    limit=lambda: _setting("SIGN_IN_FAILURES_PER_MINUTE_PER_CLIENT"), error=TooManyAttempts, message=_TRY_AGAIN
)
link_requests_per_email = FailureLimiter(
    limit=lambda: _setting("SIGN_IN_LINKS_PER_HOUR_PER_EMAIL"),
    window=timedelta(hours=1),
    error=TooManyAttempts,
    message=_TRY_AGAIN,
)
link_requests_per_client = FailureLimiter(
    limit=lambda: _setting("SIGN_IN_LINKS_PER_HOUR_PER_CLIENT"),
    window=timedelta(hours=1),
    error=TooManyAttempts,
    message=_TRY_AGAIN,
)


def email_bucket(kind: str, email: str) -> str:
    """The counter bucket of an address for the ``kind`` of limit, as every limit per address names it."""
    # A digest: the counters (and Redis keys) hold no one's address, and any address fits the column.
    return f"{kind}:email:{hashlib.sha256(email.strip().lower().encode()).hexdigest()}"


def client_bucket(kind: str, client: str) -> str:
    return f"{kind}:client:{client}"


def sign_in_attempt_count(*, email: str, client: str, now: datetime | None = None) -> None:
    """Count a staff sign-in attempt against the address and the client, and refuse it (429)
    past either's limit, BEFORE its password is checked: counted only once it had failed,
    concurrent guesses would all be checked while the count still read below the limit. So a
    successful sign-in counts too; nobody signs in five times a minute."""
    sign_in_failures_per_email.record_failure([email_bucket("sign-in", email)], now=now)
    sign_in_failures_per_client.record_failure([client_bucket("sign-in", client)], now=now)


def link_request_count(*, email: str, client: str, now: datetime | None = None) -> None:
    """Count a request for a mailed link (sign-in or password reset); refuse it (429) past the
    hour's limit of the address or of the client. Counted whether or not the address is known."""
    link_requests_per_client.record_failure([client_bucket("links", client)], now=now)
    link_requests_per_email.record_failure([email_bucket("links", email)], now=now)
