"""The returns app's own tests see the core answer about a return: members that higher apps
register (``returns.extensions``) are set aside for each test, and each app tests its own."""

from __future__ import annotations

import pytest

from returndesk.returns import extensions


@pytest.fixture(autouse=True)
def _core_members_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extensions, "_EXTENSIONS", {})
