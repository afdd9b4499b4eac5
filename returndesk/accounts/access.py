"""Access gates: the first thing every endpoint calls after authentication."""

from __future__ import annotations

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
