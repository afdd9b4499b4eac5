"""Issuing and revoking API keys."""

from __future__ import annotations

from django.db import transaction

from returndesk.accounts.errors import ApiKeyNotFound, SellerRequired, SupervisorForAgentsOnly
from returndesk.accounts.keys import digest_secret, new_prefix, new_secret
from returndesk.accounts.models import ApiKey
from returndesk.core import clock
from returndesk.core.actors import with_article
from returndesk.marketplace.models import Seller


def apikey_create(
    *, role: str, seller: Seller | None = None, supervisor: bool = False, name: str = ""
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored."""
    if role == ApiKey.Role.SELLER and seller is None:
        raise SellerRequired("A seller key must name the seller it acts for.")
    if role != ApiKey.Role.SELLER and seller is not None:
        raise SellerRequired(f"Only a seller key names a seller; {with_article(role).lower()} key acts for none.")
    if supervisor and role != ApiKey.Role.AGENT:
        raise SupervisorForAgentsOnly(
            f"Only an agent key can be a supervisor key; {with_article(role).lower()} key cannot."
        )
    secret = new_secret()
    while True:
        prefix = new_prefix()
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    api_key = ApiKey.objects.create(
        prefix=prefix,
        digest=digest_secret(secret),
        role=role,
        seller=seller,
        supervisor=supervisor,
        name=name,
        created_at=clock.now(),
    )
    return api_key, f"{prefix}_{secret}"


@transaction.atomic
def apikey_revoke(*, prefix: str) -> ApiKey:
    """Revoke a key. In-process caches stop honouring it within API_KEY_CACHE_SECONDS."""
    api_key = ApiKey.objects.select_for_update().filter(prefix=prefix).first()
    if api_key is None:
        raise ApiKeyNotFound(f"No API key has the prefix {prefix!r}.")
    if api_key.revoked_at is None:
        api_key.revoked_at = clock.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key
