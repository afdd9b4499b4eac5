"""``returns_search``: customer service's one box, for the platform and agents only."""

from __future__ import annotations

import pytest

from returndesk.core.errors import Forbidden
from returndesk.returns.selectors import SearchBy, returns_search


@pytest.mark.parametrize("caller", ["seller_a", "carrier"])
def test_only_the_platform_and_agents_may_search(keys, make_return, caller):
    ret = make_return()

    with pytest.raises(Forbidden):
        returns_search(actor=keys.actors[caller], text=ret.code, limit=10)


@pytest.mark.parametrize("caller", ["platform", "agent"])
def test_the_platform_and_agents_find_a_return_by_its_code(keys, make_return, caller):
    ret = make_return()

    found = returns_search(actor=keys.actors[caller], text=ret.code.lower(), limit=10)

    assert (found.by, found.code, found.returns) == (SearchBy.CODE, ret.code, [])


def test_a_code_that_finds_nothing_is_tried_as_an_order(keys, make_order, make_return):
    # An order whose number has a code's 13 symbols (and a valid check symbol).
    ret = make_return(order=make_order(number="RD0000000001M"))

    found = returns_search(actor=keys.actors["agent"], text="RD0000000001M", limit=10)

    assert (found.by, found.code, [row.code for row in found.returns]) == (SearchBy.ORDER_NUMBER, None, [ret.code])
