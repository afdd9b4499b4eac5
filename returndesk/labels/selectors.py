"""Reading the QR keys: the ones a verifier should trust, never a private half."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from returndesk.core import clock
from returndesk.core.access import access_reads
from returndesk.core.actors import Actor
from returndesk.labels.documents import REASON, Label, LabelLine
from returndesk.labels.errors import LabelUnavailable
from returndesk.labels.models import QrKey
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return
from returndesk.returns.selectors import lines_prefetch, visible_returns

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


def label_of(ret: Return) -> Label:
    """What ``ret``'s label and packing slip show (QR not signed yet); reads its seller, buyer,
    order and prefetched lines. 409 ``label_unavailable`` unless it is approved: only then does
    a parcel go anywhere."""
    if ret.status != Status.APPROVED:
        raise LabelUnavailable(return_status=ret.status)
    assert ret.ship_by is not None, "an approved return always has ship_by"
    return Label(
        code=ret.code,
        code_display=ret.code_display,
        seller=ret.seller.external_id,
        seller_name=ret.seller.name,
        return_address=dict(ret.seller.return_address or {}),
        order_number=ret.order.number or ret.order.external_id,
        ship_by=ret.ship_by,
        time_zone=ret.buyer.time_zone,
        lines=tuple(
            LabelLine(
                title=line.order_line.title,
                sku=line.order_line.sku,
                quantity=line.quantity,
                reason=str(REASON[line.reason]),
            )
            for line in ret.lines.all()
        ),
    )


def label_get(*, code: str, actor: Actor) -> Label:
    """A return's label contents for ``actor``: 403 ``forbidden`` for callers that read no returns
    (carriers), 404 ``not_found`` for one not theirs, 409 ``label_unavailable`` unless approved.
    Two queries: the return with its order, seller and buyer, then its lines."""
    access_reads(actor)
    ret = (
        visible_returns(actor)
        .select_related("order", "seller", "buyer")
        .prefetch_related(lines_prefetch())
        .filter(code=codes.normalise(code))
        .first()
    )
    if ret is None:
        raise ReturnNotFound()
    return label_of(ret)
