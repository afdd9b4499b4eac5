"""``return_to`` reaches every status the lifecycle reaches, through real service calls."""

from __future__ import annotations

import pytest

from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import ReturnEvent
from returndesk.scenarios.journeys import PATHS, order_placed, return_opened, return_to
from returndesk.testing import force_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(PATHS))
def test_return_to_reaches_the_status_with_one_event_per_step(status: Status) -> None:
    ret = return_opened(order=order_placed())

    reached = return_to(ret, status)

    reached.refresh_from_db()
    assert reached.status == status
    events = list(
        ReturnEvent.objects.filter(return_request=reached).order_by("at", "id").values_list("to_status", flat=True)
    )
    assert len(events) == 1 + len(PATHS[status])
    assert events[-1] == status


def test_every_status_has_a_path() -> None:
    assert set(Status) - set(PATHS) == set()


def test_return_to_refuses_a_return_that_has_moved_on() -> None:
    ret = return_to(return_opened(order=order_placed()), Status.APPROVED)

    with pytest.raises(ValueError, match="starts from a requested return"):
        return_to(ret, Status.RECEIVED)


def test_force_status_writes_the_one_state_no_path_reaches() -> None:
    ret = return_to(return_opened(order=order_placed()), Status.EXPIRED)

    forced = force_status(ret, Status.CLOSED, closed_from=Status.EXPIRED)

    assert (forced.status, forced.closed_from) == (Status.CLOSED, Status.EXPIRED)
