"""Every seller page route against everyone: two buyers, seller A's manager and warehouse, seller
B's manager, an agent, a counter clerk, someone signed out (the return is seller A's)."""

from __future__ import annotations

import pytest

from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.testing.portal_clients import WHO

pytestmark = pytest.mark.django_db

# Each answer's status and what shows it is that answer: text of the page, or where it redirects.
FORBIDDEN = (403, 'data-problem="forbidden"')
NOT_FOUND = (404, 'data-problem="not_found"')
SIGN_IN = (302, "/sign-in/?next=/seller/")
TO_RETURN = (303, "/seller/returns/{code}")

READS = {
    "/seller/": ((), (FORBIDDEN, FORBIDDEN, (200, "data-queue"), (200, "data-queue"), (200, "No returns yet."),
                 FORBIDDEN, FORBIDDEN, SIGN_IN)),
    "/seller/search?code={code}": ((), (FORBIDDEN, FORBIDDEN, (302, "/seller/returns/{code}"),
                                   (302, "/seller/returns/{code}"), (200, "No return found"), FORBIDDEN, FORBIDDEN,
                                   SIGN_IN)),
    "/seller/returns/{code}": ((), (FORBIDDEN, FORBIDDEN, (200, 'data-status="requested"'),
                               (200, 'data-status="requested"'), NOT_FOUND, FORBIDDEN, FORBIDDEN, SIGN_IN)),
}  # fmt: skip
WAREHOUSE_REFUSED = (403, 'data-problem="forbidden_action"')
ACTIONS = {
    "approve": ((Status.REQUESTED, {}), (FORBIDDEN, FORBIDDEN, TO_RETURN, WAREHOUSE_REFUSED, NOT_FOUND, FORBIDDEN,
                                       FORBIDDEN, SIGN_IN)),
    "reject": ((Status.REQUESTED, {"reason": "Worn."}), (FORBIDDEN, FORBIDDEN, TO_RETURN, WAREHOUSE_REFUSED, NOT_FOUND,
                                                       FORBIDDEN, FORBIDDEN, SIGN_IN)),
    "receive": ((Status.APPROVED, {"note": "Box intact."}), (FORBIDDEN, FORBIDDEN, TO_RETURN, TO_RETURN, NOT_FOUND,
                                                           FORBIDDEN, FORBIDDEN, SIGN_IN)),
    "inspect": ((Status.RECEIVED, {"line": "L1", "outcome": "accepted", "condition": "as_new"}),
                (FORBIDDEN, FORBIDDEN, TO_RETURN, TO_RETURN, NOT_FOUND, FORBIDDEN, FORBIDDEN, SIGN_IN)),
}  # fmt: skip


def _cases(table):
    for route, (scene, answers) in table.items():
        for person, (status, evidence) in zip(WHO, answers, strict=True):
            yield pytest.param(route, *scene, person, status, evidence, id=f"{route}-{person}")


def _shown(response) -> str:
    """Where a redirect goes, else the page."""
    return response.get("Location") or response.text


@pytest.mark.parametrize(("path", "person", "status", "evidence"), list(_cases(READS)))
def test_who_may_read_the_seller_pages(people, make_return, path, person, status, evidence):  # noqa: PLR0917
    ret = make_return()

    response = people[person].get(path.format(code=ret.code))

    assert (response.status_code, evidence.format(code=ret.code) in _shown(response)) == (status, True)


@pytest.mark.parametrize(("action", "before", "form", "person", "status", "evidence"), list(_cases(ACTIONS)))
def test_who_may_act_on_a_return(people, make_return, action, before, form, person, status, evidence):  # noqa: PLR0917
    ret = return_to(make_return(), before)

    response = people[person].post(f"/seller/returns/{ret.code}/{action}", form)

    ret.refresh_from_db()
    assert (response.status_code, evidence.format(code=ret.code) in _shown(response)) == (status, True)
    # Only the answers that go back to the return changed it.
    assert (ret.status != before) == (status == 303)
