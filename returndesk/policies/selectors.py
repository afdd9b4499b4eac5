"""Reading policy versions.

A version row never changes once written, so a version read by its number is kept in this process
for good (``policy_version_get``): the lifecycle reads a return's version on every transition and
page, and after the first read that costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from django.db.models import F, Q

from returndesk.policies.domain.policy import ReturnPolicy, policy_from_json
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
