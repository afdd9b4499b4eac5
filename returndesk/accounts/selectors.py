"""Authenticating API keys, with a short in-process cache."""

from __future__ import annotations

import hmac
import threading
import time

from django.conf import settings

from returndesk.accounts.keys import digest_secret, split_token
from returndesk.accounts.models import ApiKey
from returndesk.core.actors import KIND_OF_KEY_ROLE, Actor

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
