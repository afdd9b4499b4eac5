"""Scenes of the drop-off tests: two carriers' keys, a registered point, approved returns."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from returndesk.dropoffs.models import DropoffPoint
from returndesk.dropoffs.services import dropoff_point_register
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys

ADDRESS = {"name": "Kiosk Nord", "lines": ["Hauptstr. 1"], "city": "Berlin", "postal_code": "10115", "country": "DE"}


@pytest.fixture
def carriers(keys: Keys) -> Keys:
    """``keys`` with carrier keys of two carriers, ``post`` (``post_a``, ``post_a2``) and ``parcel``
    (``post_b``)."""
    keys.make("post_a", role="carrier", carrier="post")
    keys.make("post_a2", role="carrier", carrier="post")
    keys.make("post_b", role="carrier", carrier="parcel")
    return keys


@pytest.fixture
def point(carriers: Keys) -> DropoffPoint:
    """The carrier ``post``'s active point P-1."""
    registered, _ = dropoff_point_register(
        actor=carriers.actors["post_a"], point_id="P-1", name="Kiosk Nord", address=ADDRESS, now=NOW
    )
    return registered


@pytest.fixture
def make_approved(make_return: Callable[..., Return]) -> Callable[..., Return]:
    """An approved return of seller S-A (one unit of L1, 500 g), ship_by a week after NOW."""

    def make(**kwargs: object) -> Return:
        return return_to(make_return(**kwargs), Status.APPROVED)

    return make
