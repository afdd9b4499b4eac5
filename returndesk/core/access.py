"""Access gates: the first thing every endpoint calls after authentication."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from returndesk.core.actors import CALLER_NOUN, Actor, ActorKind, with_article
from returndesk.core.errors import Forbidden


def access_require(actor: Actor, *kinds: ActorKind) -> Actor:
    """Let only these kinds of caller use a route at all (403 ``forbidden`` for the others)."""
    if actor.kind not in kinds:
        raise Forbidden(f"{with_article(CALLER_NOUN[actor.kind])} may not use this route.")
    return actor


def access_reads(actor: Actor) -> Actor:
    """Reading orders and returns (each scoped to the caller): carriers learn about codes only
    through the verifier."""
    return access_require(
        actor, ActorKind.PLATFORM, ActorKind.AGENT, ActorKind.SELLER_KEY, ActorKind.SELLER_USER, ActorKind.BUYER
    )


_SellerOrBuyerRows = TypeVar("_SellerOrBuyerRows", bound=Model)


def actor_scope(actor: Actor) -> tuple[str, int] | None:
    """The one column condition limiting what ``actor`` may know of rows with a seller and a
    buyer: a seller its own, a buyer its own; the platform, agents and carriers everything."""
    if actor.kind in (ActorKind.SELLER_KEY, ActorKind.SELLER_USER):
        assert actor.seller_id is not None
        return "seller_id", actor.seller_id
    if actor.kind is ActorKind.BUYER:
        assert actor.buyer_id is not None
        return "buyer_id", actor.buyer_id
    return None


def scope_to_actor(rows: QuerySet[_SellerOrBuyerRows], actor: Actor) -> QuerySet[_SellerOrBuyerRows]:
    scope = actor_scope(actor)
    return rows if scope is None else rows.filter(**{scope[0]: scope[1]})
