"""The permission tables' people are who they say, and a table reads answers as it writes them."""

from __future__ import annotations

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpResponse, HttpResponseRedirect
from django.test import Client, RequestFactory

from returndesk.accounts.auth import session_actor
from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import NotFound
from returndesk.core.problems import problem_response
from returndesk.marketplace.models import Seller
from returndesk.returns.models import Return
from returndesk.testing.portal_clients import WHO, PortalScene, Route, answer, everyone


def _actor_of(client: Client) -> Actor | None:
    request = RequestFactory().get("/")
    request.session = client.session
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return session_actor(request)


def test_each_client_is_signed_in_as_the_person_it_is_named_after(portal_scene: PortalScene):
    actors = {who: _actor_of(client) for who, client in portal_scene.clients.items()}
    seller = dict(Seller.objects.values_list("external_id", "pk"))

    assert {who: (actor.kind, actor.staff_role) if actor else None for who, actor in actors.items()} == {
        "buyer_a": (ActorKind.BUYER, None),
        "buyer_b": (ActorKind.BUYER, None),
        "seller_a_manager": (ActorKind.SELLER_USER, StaffRole.SELLER_MANAGER),
        "seller_a_warehouse": (ActorKind.SELLER_USER, StaffRole.SELLER_WAREHOUSE),
        "seller_b_manager": (ActorKind.SELLER_USER, StaffRole.SELLER_MANAGER),
        "agent": (ActorKind.AGENT, StaffRole.AGENT),
        "counter": (ActorKind.CARRIER, StaffRole.COUNTER),
        "signed_out": None,
    }
    assert (actors["buyer_a"].id, actors["buyer_b"].id) == ("B-A", "B-B")
    assert [actors[who].seller_id for who in ("seller_a_manager", "seller_a_warehouse", "seller_b_manager")] == [
        seller["S-A"],
        seller["S-A"],
        seller["S-B"],
    ]
    assert (actors["counter"].carrier, actors["counter"].point_id) == ("demo-post", "DEMO-1")


def test_each_buyer_has_an_order_and_a_return_at_their_seller(portal_scene: PortalScene):
    returns = {
        ret.code: (ret.order.external_id, ret.order.buyer.external_id, ret.order.seller.external_id)
        for ret in Return.objects.select_related("order__buyer", "order__seller")
    }

    assert returns == {
        portal_scene.values["return_a"]: (portal_scene.values["order_a"], "B-A", "S-A"),
        portal_scene.values["return_b"]: (portal_scene.values["order_b"], "B-B", "S-B"),
    }
    assert portal_scene.path(Route("GET", "/buyer/returns/{return_a}", everyone("200"))) == (
        f"/buyer/returns/{portal_scene.values['return_a']}"
    )


@pytest.mark.parametrize(
    ("response", "written"),
    [
        (HttpResponse("<p>fine</p>"), "200"),
        (HttpResponseRedirect("/sign-in/?next=/seller/"), "302 /sign-in/?next=/seller/"),
        (HttpResponse('<section data-problem="forbidden">', status=403), "403 forbidden"),
        (problem_response(NotFound()), "404 not_found"),
        (HttpResponse("Method not allowed", status=405), "405"),
    ],
    ids=["ok", "redirect", "problem-page", "problem-json", "plain-error"],
)
def test_an_answer_is_written_as_its_status_then_where_or_which_problem(response: HttpResponse, written: str):
    assert answer(response) == written


def test_a_row_names_every_person_once():
    assert everyone("200", agent="403 forbidden") == {**dict.fromkeys(WHO, "200"), "agent": "403 forbidden"}
    with pytest.raises(ValueError, match="not in WHO"):
        everyone("200", seller_c_manager="200")
    with pytest.raises(ValueError, match="a row names every person in WHO"):
        Route("GET", "/", {"agent": "200"})
