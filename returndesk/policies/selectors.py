"""Reading policy versions.

A version row never changes once written, so a version read by its number is kept in this process
for good (``policy_version_get``): the lifecycle reads a return's version on every transition and
page, and after the first read that costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from django.db.models import F, Max, Q

from returndesk.accounts.errors import SellerNotFound
from returndesk.core.access import access_require, actor_scope
from returndesk.core.actors import Actor, ActorKind
from returndesk.marketplace.models import Seller
from returndesk.policies.domain.policy import (
    DEFAULT_SELLER,
    POLICY_FIELDS,
    ReturnPolicy,
    SellerBounds,
    policy_from_json,
)
from returndesk.policies.errors import PolicyVersionNotFound
from returndesk.policies.models import PolicyVersion


@dataclass(frozen=True)
class VersionedPolicy:
    version: int
    seller_id: int | None
    effective_at: datetime
    policy: ReturnPolicy


def versioned(row: PolicyVersion) -> VersionedPolicy:
    """The value of one version row; remembered by number, as ``policy_version_get`` would."""
    known = _versions.get(row.version)
    if known is not None:
        return known
    value = VersionedPolicy(
        version=row.version,
        seller_id=row.seller_id,
        effective_at=row.effective_at,
        policy=policy_from_json(row.document),
    )
    with _versions_lock:
        _versions[row.version] = value
    return value


def policy_in_force(*, seller_id: int) -> VersionedPolicy:
    """The seller's latest version, else the default's latest: one query."""
    row = (
        PolicyVersion.objects.filter(Q(seller_id=seller_id) | Q(seller__isnull=True))
        .order_by(F("seller_id").asc(nulls_last=True), "-version")
        .first()
    )
    assert row is not None, "the default policy (version 1) is made by a migration and never deleted"
    return versioned(row)


def policies_in_force(*, seller_ids: set[int]) -> dict[int, ReturnPolicy]:
    """``policy_in_force`` for several sellers at once, by seller id: one query whatever their
    number (a page of a buyer's orders from many sellers)."""
    if not seller_ids:
        return {}
    latest = (
        PolicyVersion.objects.filter(Q(seller_id__in=seller_ids) | Q(seller__isnull=True))
        .values("seller_id")
        .annotate(latest=Max("version"))
        .values("latest")
    )
    found = {row.seller_id: versioned(row).policy for row in PolicyVersion.objects.filter(version__in=latest)}
    return {seller_id: found.get(seller_id, found[None]) for seller_id in seller_ids}


def policy_version_get(*, version: int) -> VersionedPolicy:
    """Version ``version``, or 404 ``not_found``; a query the first time this process reads it."""
    known = _versions.get(version)
    if known is not None:
        return known
    row = PolicyVersion.objects.filter(version=version).first()
    if row is None:
        raise PolicyVersionNotFound(f"No policy version {version}.")
    return versioned(row)


# Version number -> its value. Rows are immutable and numbers never reused (outside of tests that
# roll back, which call ``policy_versions_forget``).
_versions: dict[int, VersionedPolicy] = {}
_versions_lock = Lock()


def policy_versions_forget(*, keep: frozenset[int] = frozenset()) -> None:
    """Forget the versions this process has read, but ``keep``: for tests, whose rolled-back
    transactions give numbers out again (SQLite's sequence rolls back with them)."""
    with _versions_lock:
        for version in [number for number in _versions if number not in keep]:
            del _versions[version]


# --- What the routes and the page read ----------------------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    version: int
    effective_at: datetime
    # The policy fields this version changed from the one in force before it (for a seller's first,
    # the default's then).
    changed: tuple[str, ...]


@dataclass(frozen=True)
class SellerPolicy:
    """A seller's (or the default's) policy as ``GET /policies/{seller}`` answers it."""

    seller: str | None  # the seller's external id; None: the default
    in_force: VersionedPolicy
    inherited: bool
    history: tuple[HistoryItem, ...]  # newest first: the seller's own versions, or the default's
    # What binds this seller (the default's ``seller_bounds`` in force); None for the default.
    bounds: SellerBounds | None


def policy_seller_resolve(*, actor: Actor, seller: str) -> Seller | None:
    """The seller ``seller`` names (None: ``default``), or 404 ``seller_not_found``: a seller's
    key or staff may name only its own. Buyers and carriers 403 ``forbidden``."""
    access_require(actor, ActorKind.PLATFORM, ActorKind.AGENT, ActorKind.SELLER_KEY, ActorKind.SELLER_USER)
    if seller == DEFAULT_SELLER:
        return None
    found = Seller.objects.filter(external_id=seller).first()
    scope = actor_scope(actor)
    if found is None or (scope is not None and found.pk != scope[1]):
        raise SellerNotFound(f"No seller has the external id {seller!r}.")
    return found


def _changed(before: ReturnPolicy | None, after: ReturnPolicy) -> tuple[str, ...]:
    if before is None:
        return ()
    return tuple(
        name for name in POLICY_FIELDS if name != "seller_bounds" and getattr(before, name) != getattr(after, name)
    )


def seller_policy(*, seller: Seller | None) -> SellerPolicy:
    """The policy in force for ``seller`` (None: the default), inherited or its own, with its
    history: one query, for the seller's and the default's versions together."""
    rows = [
        versioned(row)
        for row in PolicyVersion.objects.filter(
            Q(seller__isnull=True) | Q(seller_id=None if seller is None else seller.pk)
        ).order_by("version")
    ]
    defaults = [row for row in rows if row.seller_id is None]
    own = [row for row in rows if row.seller_id is not None] if seller is not None else defaults
    history: list[HistoryItem] = []
    previous: ReturnPolicy | None = None
    for row in own:
        if seller is not None and previous is None:
            before = [default for default in defaults if default.version < row.version]
            previous = before[-1].policy if before else None
        history.append(HistoryItem(row.version, row.effective_at, _changed(previous, row.policy)))
        previous = row.policy
    in_force = own[-1] if own else defaults[-1]
    return SellerPolicy(
        seller=None if seller is None else seller.external_id,
        in_force=in_force,
        inherited=seller is not None and not own,
        history=tuple(reversed(history)),
        bounds=None if seller is None else defaults[-1].policy.seller_bounds,
    )


def policy_get_for_actor(*, actor: Actor, seller: str) -> SellerPolicy:
    """``GET /policies/{seller}``: the platform and agents any, a seller's key or staff its own."""
    return seller_policy(seller=policy_seller_resolve(actor=actor, seller=seller))


def policy_get_own(*, actor: Actor) -> SellerPolicy:
    """The policy of the seller whose staff ``actor`` is (the seller portal's page)."""
    assert actor.seller_id is not None, "the seller portal admits seller staff only"
    return seller_policy(seller=Seller.objects.get(pk=actor.seller_id))


def policy_version_get_for_actor(*, actor: Actor, version: int) -> VersionedPolicy:
    """One version by number: the platform and agents any; a seller's key or staff its own and the
    default's, another seller's 404 ``not_found`` like a missing one."""
    access_require(actor, ActorKind.PLATFORM, ActorKind.AGENT, ActorKind.SELLER_KEY, ActorKind.SELLER_USER)
    found = policy_version_get(version=version)
    scope = actor_scope(actor)
    if scope is not None and found.seller_id not in (None, scope[1]):
        raise PolicyVersionNotFound(f"No policy version {version}.")
    return found


def seller_external_id(seller_id: int | None) -> str | None:
    """The external id of the seller a version belongs to (None: the default's)."""
    if seller_id is None:
        return None
    return Seller.objects.values_list("external_id", flat=True).get(pk=seller_id)
