"""Who may use each refund page route (issue 9), on the scene's requested return of seller A
(``return_a``): managers reach the services, which refuse a refund of a requested return as the
API does; warehouse staff are refused by the services (403 ``forbidden_action``); another seller's
return is 404; other portals' people 403 ``forbidden``; nobody signed in is sent to sign in."""

from __future__ import annotations

import pytest

from returndesk.testing.portal_clients import PortalScene, Route, everyone

pytestmark = pytest.mark.django_db

SELLER_FORM = {"token": "permission-token"}


def _seller_row(path: str, manager: str, warehouse: str) -> dict[str, str]:
    return everyone(
        "403 forbidden",
        seller_a_manager=manager,
        seller_a_warehouse=warehouse,
        seller_b_manager="404 not_found",
        signed_out=f"302 /sign-in/?next={path}",
    )


def _agent_row(path: str, agent: str) -> dict[str, str]:
    return everyone("403 forbidden", agent=agent, signed_out=f"302 /sign-in/?next={path}")


def _buyer_row(path: str, buyer_a: str) -> dict[str, str]:
    return everyone("403 forbidden", buyer_a=buyer_a, buyer_b="404 not_found", signed_out=f"302 /buyer/?next={path}")


ROUTES = [
    Route(
        "POST",
        "/seller/returns/{return_a}/refund",
        _seller_row("/seller/returns/{return_a}/refund", "409 invalid_transition", "403 forbidden_action"),
        data=SELLER_FORM,
    ),
    Route(
        "POST",
        "/seller/returns/{return_a}/keep",
        _seller_row("/seller/returns/{return_a}/keep", "303 /seller/returns/{return_a}", "403 forbidden_action"),
        data=SELLER_FORM,
    ),
    Route(
        "POST",
        "/seller/returns/{return_a}/offer",
        _seller_row("/seller/returns/{return_a}/offer", "422 validation_error", "422 validation_error"),
        data=SELLER_FORM,
    ),
    Route(
        "POST",
        "/seller/returns/{return_a}/exchange",
        _seller_row("/seller/returns/{return_a}/exchange", "422 validation_error", "422 validation_error"),
        data=SELLER_FORM,
    ),
    Route(
        "POST",
        "/seller/refunds/999999/confirm",
        _seller_row("/seller/refunds/999999/confirm", "404 not_found", "404 not_found"),
    ),
    Route(
        "POST",
        "/seller/refunds/999999/retry",
        _seller_row("/seller/refunds/999999/retry", "404 not_found", "404 not_found"),
    ),
    Route(
        "POST",
        "/buyer/returns/{return_a}/accept-offer",
        _buyer_row("/buyer/returns/{return_a}/accept-offer", "409 no_open_offer"),
        data={"token": "permission-token"},
    ),
    Route(
        "POST",
        "/buyer/returns/{return_a}/decline-offer",
        _buyer_row("/buyer/returns/{return_a}/decline-offer", "409 no_open_offer"),
    ),
    Route("GET", "/agent/refunds", _agent_row("/agent/refunds", "200")),
    *(
        Route(
            "POST",
            f"/agent/refunds/999999/{action}",
            _agent_row(f"/agent/refunds/999999/{action}", "404 not_found"),
            data={"reason": "Paid twice."},
        )
        for action in ("release", "confirm", "retry", "cancel")
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_who_gets_what_on_each_refund_page_route(portal_scene: PortalScene, route: Route) -> None:
    expected = {who: answer.format_map(portal_scene.values) for who, answer in route.expected.items()}

    assert portal_scene.answers(route) == expected
