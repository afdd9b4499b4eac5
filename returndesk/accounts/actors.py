"""Who is acting: the identity every service receives and every event records. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from returndesk.returns.domain.lifecycle import Role


class ActorKind(StrEnum):
    BUYER = "buyer"
    SELLER_KEY = "seller_key"
    SELLER_USER = "seller_user"
    PLATFORM = "platform"
    AGENT = "agent"
    CARRIER = "carrier"
    SYSTEM = "system"


_ROLE_OF_KIND = {
    ActorKind.BUYER: Role.BUYER,
    ActorKind.SELLER_KEY: Role.SELLER,
    ActorKind.SELLER_USER: Role.SELLER,
    ActorKind.PLATFORM: Role.PLATFORM,
    ActorKind.AGENT: Role.AGENT,
    ActorKind.CARRIER: Role.CARRIER,
    ActorKind.SYSTEM: Role.SYSTEM,
}


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    # An API key's public prefix, a user's id, or "clock" for the system.
    id: str
    # The seller a seller key or user belongs to, or the buyer a buyer is: scopes every lookup.
    seller_id: int | None = None
    buyer_id: int | None = None
    supervisor: bool = False
    api_key_id: int | None = None
    # The buyer's external id when the platform acts for a buyer.
    on_behalf_of: str = ""

    @property
    def role(self) -> Role:
        return _ROLE_OF_KIND[self.kind]

    def for_buyer(self, buyer_external_id: str) -> Actor:
        return replace(self, on_behalf_of=buyer_external_id)


SYSTEM_CLOCK = Actor(kind=ActorKind.SYSTEM, id="clock")
