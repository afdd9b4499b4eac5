"""Reading the QR keys: the ones a verifier should trust, never a private half."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from returndesk.core import clock
from returndesk.labels.models import QrKey

# How long a superseded key stays published after the latest exp it signed: a label handed over
# at its last second may still be checked offline later that day.
PUBLISHED_AFTER_LAST_EXP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PublishedKey:
    kid: str
    public_key: bytes
    # None for the newest key, which signs new labels and so has no end yet.
    not_after: datetime | None


def qr_keys_published(*, now: datetime | None = None) -> list[PublishedKey]:
    """The keys a verifier should trust at ``now``, newest first: the newest key, and every older
    one until a day after the latest ``exp`` it signed (one that signed nothing is no longer
    published once superseded). One query: keys are few, made by hand with ``qr-rotate``."""
    at = now or clock.now()
    grace = int(PUBLISHED_AFTER_LAST_EXP.total_seconds())
    published: list[PublishedKey] = []
    for kid, public_key, last_exp in QrKey.objects.order_by("-id").values_list("kid", "public_key", "last_exp"):
        if not published:
            published.append(PublishedKey(kid=kid, public_key=bytes(public_key), not_after=None))
        elif last_exp is not None and at.timestamp() < last_exp + grace:
            not_after = datetime.fromtimestamp(last_exp + grace, tz=UTC)
            published.append(PublishedKey(kid=kid, public_key=bytes(public_key), not_after=not_after))
    return published


def qr_public_keys(*, now: datetime | None = None) -> dict[str, bytes]:
    """Every published key's raw public key by kid: what ``labels.domain.qr.verify`` takes."""
    return {key.kid: key.public_key for key in qr_keys_published(now=now)}
