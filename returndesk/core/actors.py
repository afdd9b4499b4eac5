"""Who is acting: the identity every service receives and every event records. Pure Python.

``Role`` is how the lifecycle sees a caller; ``ActorKind`` is how returndesk knows it (an API
key's role, a signed-in user, the system's clocks). ``KINDS`` is the one table tying them, and the
API key roles, together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Role(StrEnum):
    """Who acts, as the lifecycle sees it (an API key's role, or the system's clocks)."""

    BUYER = "buyer"
    SELLER = "seller"
    PLATFORM = "platform"
    AGENT = "agent"
    CARRIER = "carrier"
    SYSTEM = "system"


class ActorKind(StrEnum):
    BUYER = "buyer"
    SELLER_KEY = "seller_key"
    SELLER_USER = "seller_user"
    PLATFORM = "platform"
    AGENT = "agent"
    CARRIER = "carrier"
    SYSTEM = "system"


class StaffRole(StrEnum):
    """A signed-in staff member's role (``accounts.StaffMembership.role``): seller staff act as
    ``seller_user``, agents and supervisors as ``agent``, counter staff as ``carrier``."""

    SELLER_MANAGER = "seller_manager"
    SELLER_WAREHOUSE = "seller_warehouse"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    COUNTER = "counter"


@dataclass(frozen=True)
class KindRow:
    kind: ActorKind
    role: Role
    # The ``ApiKey.role`` value of keys of this kind; empty for kinds no API key has.
    key_role: str


KINDS: tuple[KindRow, ...] = (
    KindRow(ActorKind.BUYER, Role.BUYER, ""),
    KindRow(ActorKind.SELLER_KEY, Role.SELLER, "seller"),
    KindRow(ActorKind.SELLER_USER, Role.SELLER, ""),
    KindRow(ActorKind.PLATFORM, Role.PLATFORM, "platform"),
    KindRow(ActorKind.AGENT, Role.AGENT, "agent"),
    KindRow(ActorKind.CARRIER, Role.CARRIER, "carrier"),
    KindRow(ActorKind.SYSTEM, Role.SYSTEM, ""),
)
ROLE_OF_KIND: dict[ActorKind, Role] = {row.kind: row.role for row in KINDS}
KIND_OF_KEY_ROLE: dict[str, ActorKind] = {row.key_role: row.kind for row in KINDS if row.key_role}


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
    # The carrier a carrier key acts for (``createkey --carrier``); drop-off points are its own.
    carrier: str = ""
    # A signed-in staff member's role, empty for API keys, buyers and the clocks: warehouse staff
    # may receive and inspect but not decide.
    staff_role: StaffRole | None = None
    # The drop-off point a counter member works at: the verifier counts failures per point too.
    point_id: str = ""

    @property
    def role(self) -> Role:
        return ROLE_OF_KIND[self.kind]

    def for_buyer(self, buyer_external_id: str) -> Actor:
        return replace(self, on_behalf_of=buyer_external_id)


def with_article(noun: str) -> str:
    """ "An agent", "A seller key": the noun with its indefinite article, capitalised."""
    return f"{'An' if noun[:1].lower() in 'aeiou' else 'A'} {noun}"


# How error messages name each kind of caller.
CALLER_NOUN: dict[ActorKind, str] = {
    ActorKind.BUYER: "buyer",
    ActorKind.SELLER_KEY: "seller key",
    ActorKind.SELLER_USER: "seller's staff member",
    ActorKind.PLATFORM: "platform key",
    ActorKind.AGENT: "agent key",
    ActorKind.CARRIER: "carrier key",
    ActorKind.SYSTEM: "system clock",
}


SYSTEM_CLOCK = Actor(kind=ActorKind.SYSTEM, id="clock")
