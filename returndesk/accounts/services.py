"""Issuing and revoking API keys."""

from __future__ import annotations

from django.db import transaction

from returndesk.accounts.errors import (
    ApiKeyNotFound,
    CarrierForCarriersOnly,
    InvalidCarrier,
    SellerRequired,
    SupervisorForAgentsOnly,
)
from returndesk.accounts.keys import carrier_name_valid, digest_secret, new_prefix, new_secret
from returndesk.accounts.models import ApiKey
from returndesk.core import clock
from returndesk.core.actors import with_article
from returndesk.marketplace.models import Seller


def apikey_create(
    *,
    role: str,
    seller: Seller | None = None,
    supervisor: bool = False,
    name: str = "",
    carrier: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is shown once and never stored.

    ``carrier`` names the carrier a carrier key acts for; keys naming one carrier share its
    drop-off points. A carrier key naming none is a carrier of its own, named by its prefix.
    """
    if role == ApiKey.Role.SELLER and seller is None:
        raise SellerRequired("A seller key must name the seller it acts for.")
    if role != ApiKey.Role.SELLER and seller is not None:
        raise SellerRequired(f"Only a seller key names a seller; {with_article(role).lower()} key acts for none.")
    if supervisor and role != ApiKey.Role.AGENT:
        raise SupervisorForAgentsOnly(
            f"Only an agent key can be a supervisor key; {with_article(role).lower()} key cannot."
        )
    if carrier is not None and role != ApiKey.Role.CARRIER:
        raise CarrierForCarriersOnly(
            f"Only a carrier key names a carrier; {with_article(role).lower()} key acts for none."
        )
    if carrier is not None and not carrier_name_valid(carrier):
        raise InvalidCarrier(
            f"A carrier is named by 1 to 50 lowercase letters, digits and hyphens, so {carrier!r} cannot be one."
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
        carrier=carrier or (prefix if role == ApiKey.Role.CARRIER else ""),
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
