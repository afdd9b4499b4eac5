"""Access gates: the first thing every endpoint calls after authentication."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from returndesk.accounts.actors import Actor, ActorKind
from returndesk.core.errors import Forbidden


def access_require(actor: Actor, *kinds: ActorKind) -> Actor:
    """Let only these kinds of caller use a route at all (403 ``forbidden`` for the others)."""
    if actor.kind not in kinds:
        raise Forbidden(f"A {actor.kind.replace('_', ' ')} key may not use this route.")
    return actor


def access_return_reads(actor: Actor) -> Actor:
    """Reading and listing returns: carriers learn about codes only through the verifier."""
    return access_require(actor, ActorKind.PLATFORM, ActorKind.AGENT, ActorKind.SELLER_KEY,
                          ActorKind.SELLER_USER, ActorKind.BUYER)


_SellerOrBuyerRows = TypeVar("_SellerOrBuyerRows", bound=Model)


def scope_to_actor(rows: QuerySet[_SellerOrBuyerRows], actor: Actor) -> QuerySet[_SellerOrBuyerRows]:
    """Rows (with ``seller`` and ``buyer``) that ``actor`` may know of: a seller its own, a buyer
    its own, the platform, agents and carriers all of them."""
    if actor.kind in (ActorKind.SELLER_KEY, ActorKind.SELLER_USER):
        assert actor.seller_id is not None
        return rows.filter(seller_id=actor.seller_id)
    if actor.kind is ActorKind.BUYER:
        return rows.filter(buyer__external_id=actor.id)
    return rows
