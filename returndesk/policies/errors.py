"""The policies' refusals."""

from __future__ import annotations

from returndesk.core.errors import NotFound


class PolicyVersionNotFound(NotFound):
    """A version that does not exist, or one of a seller the caller may not see: ``not_found``."""
