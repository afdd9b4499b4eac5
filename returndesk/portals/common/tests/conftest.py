from __future__ import annotations

from collections.abc import Callable

import pytest

from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.portals.common import views


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch) -> Callable[[Actor | None], None]:
    """Fix who the session is (``accounts.auth.session_actor``'s answer): these tests are about
    ``portal_view``'s gate and rendering; signing in is accounts' and its tests'."""

    def sign_in(actor: Actor | None) -> None:
        monkeypatch.setattr(views, "session_actor", lambda request: actor)

    return sign_in


MANAGER = Actor(kind=ActorKind.SELLER_USER, id="user:1", seller_id=1, staff_role=StaffRole.SELLER_MANAGER)
COUNTER_CLERK = Actor(kind=ActorKind.CARRIER, id="user:2", carrier="demo-post", staff_role=StaffRole.COUNTER,
                      point_id="DEMO-1")  # fmt: skip
BUYER_ANA = Actor(kind=ActorKind.BUYER, id="B-ANA", buyer_id=1)
