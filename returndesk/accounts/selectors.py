"""Authenticating API keys, with a short in-process cache; reading staff members."""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from returndesk.accounts.errors import StaffNotFound
from returndesk.accounts.keys import digest_secret, split_token
from returndesk.accounts.models import ApiKey, StaffMembership
from returndesk.core.actors import KIND_OF_KEY_ROLE, Actor, StaffRole
from returndesk.core.pagination import text_cursor_decode, text_cursor_encode

_CACHE_LIMIT = 10_000
_cache: dict[str, tuple[Actor, float]] = {}
_cache_lock = threading.Lock()


def actor_for_api_key(key: ApiKey) -> Actor:
    return Actor(
        kind=KIND_OF_KEY_ROLE[key.role],
        id=key.prefix,
        seller_id=key.seller_id,
        supervisor=key.supervisor,
        api_key_id=key.pk,
        carrier=key.carrier,
    )


def apikey_authenticate(*, token: str) -> Actor | None:
    """The actor behind a bearer token, or None for anything that is not a live key.

    A hit is served from memory for at most API_KEY_CACHE_SECONDS, which bounds how long a
    revoked key keeps working in a process that has already seen it.
    """
    parts = split_token(token)
    if parts is None:
        return None
    prefix, secret = parts
    digest = digest_secret(secret)
    cache_key = f"{prefix}:{digest}"
    now = time.monotonic()
    cached = _cache.get(cache_key)
    if cached is not None and cached[1] > now:
        return cached[0]
    key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.digest, digest):
        _cache.pop(cache_key, None)
        return None
    actor = actor_for_api_key(key)
    with _cache_lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[cache_key] = (actor, now + settings.RETURNDESK["API_KEY_CACHE_SECONDS"])
    return actor


def apikey_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


@dataclass(frozen=True)
class StaffFilters:
    role: StaffRole | None = None
    seller: str | None = None


def staff_list(
    *, filters: StaffFilters, limit: int, cursor: str | None = None
) -> tuple[list[StaffMembership], str | None]:
    """A page of staff members by email, and the cursor of the next page (None on the last):
    one query, whatever the page size."""
    members = StaffMembership.objects.select_related("user", "seller")
    if filters.role:
        members = members.filter(role=filters.role)
    if filters.seller:
        members = members.filter(seller__external_id=filters.seller)
    if cursor:
        username, pk = text_cursor_decode(cursor, filters=filters)
        members = members.filter(Q(user__username__gt=username) | Q(user__username=username, user_id__gt=pk))
    page = list(members.order_by("user__username", "user_id")[: limit + 1])
    if len(page) > limit:
        last = page[limit - 1]
        return page[:limit], text_cursor_encode(last.user.username, last.user_id, filters=filters)
    return page, None


def staff_get(*, staff_id: int) -> StaffMembership:
    found = StaffMembership.objects.select_related("user", "seller").filter(user_id=staff_id).first()
    if found is None:
        raise StaffNotFound(f"No staff member has the id {staff_id}.")
    return found
