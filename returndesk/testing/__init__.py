"""The test toolkit: fixed time, API keys per caller, a frozen clock, concurrent calls, processes.

Tests and ``conftest`` files import from here; ``conftest`` files only declare fixtures.
``testing.services`` checks the PostgreSQL and Redis that some tests need; ``testing.processes``
starts and stops server subprocesses for the served tests and the bench; ``testing.api_matrix``
holds what the API's permission matrices share, ``testing.portal_clients`` the pages' tables.
Exempt from the layers contract: a test may set a scene from any layer.

Importing this package loads no Django: the bench imports ``testing.processes`` without
configuring Django. The toolkit's names (``Keys``, ``NOW``, ...) live in ``testing.toolkit`` and are
imported from there when first asked for, by then with Django set up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from returndesk.testing.toolkit import (
        NOW,
        Keys,
        at_once,
        extension_queries,
        force_status,
        frozen_clock,
        iso,
        mistyped,
    )

__all__ = ["NOW", "Keys", "at_once", "extension_queries", "force_status", "frozen_clock", "iso", "mistyped"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("returndesk.testing.toolkit"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
