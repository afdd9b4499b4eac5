"""The policies' refusals."""

from __future__ import annotations

from returndesk.core.errors import NotFound, Unprocessable


class PolicyVersionNotFound(NotFound):
    """A version that does not exist, or one of a seller the caller may not see: ``not_found``."""


class OutsidePlatformBounds(Unprocessable):
    """A PUT whose policy leaves the platform's bounds: ``errors`` names each value, its ``loc``
    in the body, its ``code`` (``domain.policy.Bound``) and a sentence."""

    code, title = "outside_platform_bounds", "The policy is outside the platform's bounds"


# What warehouse staff are told, by the API and the page alike.
WAREHOUSE_MAY_NOT_EDIT = "Warehouse staff may read the return policy, not change it; a manager changes it."
