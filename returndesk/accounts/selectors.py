"""Authenticating API keys, with a short in-process cache."""

from __future__ import annotations

import hmac
import threading
import time

from django.conf import settings

from returndesk.accounts.actors import Actor, ActorKind
from returndesk.accounts.models import ApiKey
from returndesk.accounts.services import PREFIX_LENGTH, digest_secret

_KIND_OF_ROLE = {
    ApiKey.Role.PLATFORM: ActorKind.PLATFORM,
    ApiKey.Role.SELLER: ActorKind.SELLER_KEY,
    ApiKey.Role.CARRIER: ActorKind.CARRIER,
    ApiKey.Role.AGENT: ActorKind.AGENT,
}
_CACHE_LIMIT = 10_000
_cache: dict[str, tuple[Actor, float]] = {}
_cache_lock = threading.Lock()


def actor_for_api_key(key: ApiKey) -> Actor:
    return Actor(
        kind=_KIND_OF_ROLE[ApiKey.Role(key.role)],
        id=key.prefix,
        seller_id=key.seller_id,
        supervisor=key.supervisor,
        api_key_id=key.pk,
    )


def apikey_authenticate(*, token: str) -> Actor | None:
    """The actor behind a bearer token, or None for anything that is not a live key.

    A hit is served from memory for at most API_KEY_CACHE_SECONDS, which bounds how long a
    revoked key keeps working in a process that has already seen it.
    """
    prefix, separator, secret = (
        token[:PREFIX_LENGTH],
        token[PREFIX_LENGTH : PREFIX_LENGTH + 1],
        token[PREFIX_LENGTH + 1 :],
    )
    if separator != "_" or not secret:
        return None
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
