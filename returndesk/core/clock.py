"""The one clock of returndesk: every service reads ``now()`` here, so tests can stop time.

Deadlines, windows and rate-limit minutes all come from this function; nothing else in the
product calls ``timezone.now()``. ``returndesk.testing.frozen_clock`` sets the override.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

# Set only by tests (``returndesk.testing.frozen_clock``); None in every running server.
_frozen_at: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _frozen_at if _frozen_at is not None else timezone.now()


def freeze(at: datetime | None) -> None:
    """Stop the clock at ``at`` (None starts it again). For tests only."""
    global _frozen_at  # noqa: PLW0603 - one process-wide clock is the point
    if at is not None and timezone.is_naive(at):
        raise ValueError("the clock runs in aware UTC datetimes")
    _frozen_at = at
