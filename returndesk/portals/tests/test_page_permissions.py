"""Who may open each page route: one row per route and method, the answer for every person.

The people and the table's notation are ``returndesk.testing.portal_clients``'s (fixture
``portal_scene``): two buyers, seller A's manager and warehouse, seller B's manager, an agent, a
counter clerk, and nobody signed in. A portal adds its routes as rows of its own table, in its
tests, with the same fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from returndesk.demo.keys_file import DemoSecret, keys_write
from returndesk.testing.portal_clients import WHO, PortalScene, Route, everyone

STAFF = ("seller_a_manager", "seller_a_warehouse", "seller_b_manager", "agent", "counter")
NOT_STAFF = ("buyer_a", "buyer_b", "signed_out")


def staff_only(expected: str, path: str) -> dict[str, str]:
    """Staff get ``expected``; buyers and nobody are sent to sign in as staff, coming back to ``path``."""
    return {**everyone(expected), **dict.fromkeys(NOT_STAFF, f"302 /sign-in/?next={path}")}


ROUTES = [
    Route("GET", "/", everyone("200")),
    Route("GET", "/no/such/page/", everyone("404 not_found")),
    # Staff sign-in and out: open to anyone, whoever is signed in.
    Route("GET", "/sign-in/", everyone("200")),
    Route("GET", "/sign-in/?next=/seller/", everyone("200")),
    Route("POST", "/sign-in/", everyone("422 validation_error"), data={"email": "not-an-address"}),
    Route("GET", "/sign-out/", everyone("405 method_not_allowed")),
    Route("POST", "/sign-out/", everyone("303 /")),
    # One's own password: staff only (buyers have none).
    Route("GET", "/account/password/", staff_only("200", "/account/password/")),
    Route("POST", "/account/password/", staff_only("422 validation_error", "/account/password/")),
    Route("GET", "/account/password/changed/", staff_only("200", "/account/password/changed/")),
    # A forgotten password: anyone may ask, the same answer for everybody.
    Route("GET", "/sign-in/forgot/", everyone("200")),
    Route("POST", "/sign-in/forgot/", everyone("422 validation_error"), data={"email": "not-an-address"}),
    Route("GET", "/sign-in/forgot/sent/", everyone("200")),
    Route("GET", "/sign-in/reset/MQ/not-a-token/", everyone("200")),
    Route("GET", "/sign-in/reset/done/", everyone("200")),
    # Buyers' sign-in by link.
    Route("GET", "/buyer/sign-in/", everyone("200")),
    Route("POST", "/buyer/sign-in/", everyone("422 validation_error"), data={"email": "not-an-address"}),
    Route("GET", "/buyer/link/not-a-token", everyone("200")),
    Route("POST", "/buyer/link/not-a-token", everyone("410 sign_in_link_invalid")),
    # The demo's mailbox, outside demo mode.
    Route("GET", "/demo/mail/", everyone("404 not_found")),
]

DEMO_ROUTES = [
    Route("GET", "/", everyone("200")),
    Route("GET", "/demo/mail/", everyone("200")),
    Route("POST", "/demo/mail/", everyone("405 method_not_allowed")),
]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    """A data directory of the test's own: demo mode only where a test writes the demo's keys."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_who_gets_what_on_each_page_route(portal_scene: PortalScene, route: Route) -> None:
    assert portal_scene.answers(route) == route.expected


@pytest.mark.parametrize("route", DEMO_ROUTES, ids=str)
def test_in_demo_mode_the_demo_s_pages_are_everyone_s(portal_scene: PortalScene, settings, route: Route) -> None:
    settings.DEMO = True
    keys_write([DemoSecret("platform", "Demo platform", "rdk_not-a-real-key")])

    assert portal_scene.answers(route) == route.expected


def test_the_table_names_every_person_of_the_scene(portal_scene: PortalScene) -> None:
    assert set(portal_scene.clients) == set(WHO)
    assert set(STAFF) | set(NOT_STAFF) == set(WHO)
