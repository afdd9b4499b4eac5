"""Writing the QR keys and signing labels' QR payloads."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from returndesk.core import clock
from returndesk.core.actors import Actor
from returndesk.core.sql import quoted_table
from returndesk.labels.documents import Label
from returndesk.labels.domain import qr
from returndesk.labels.models import QrKey
from returndesk.labels.selectors import label_get


def _keys_lock() -> None:
    """Serialise key creation: a table lock, since the first key has no row to lock yet.

    ``SHARE ROW EXCLUSIVE`` conflicts with itself and with writes, not with reads: labels keep
    being signed with the newest key while a new one is made. On SQLite every write transaction
    is ``BEGIN IMMEDIATE`` already, which queues writers whole.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {quoted_table(QrKey)} IN SHARE ROW EXCLUSIVE MODE")


def _key_create(now: datetime) -> QrKey:
    private_key = qr.generate_private_key()
    public_key = qr.public_key_of(private_key)
    return QrKey.objects.create(
        kid=qr.kid_of(public_key), public_key=public_key, private_key=private_key, created_at=now
    )


def _newest_key() -> QrKey | None:
    return QrKey.objects.order_by("-id").first()


def qr_key_rotate(*, now: datetime | None = None) -> QrKey:
    """Add a signing key; new labels use it from now on. The previous newest stays published until
    a day after the latest ``exp`` it signed."""
    with transaction.atomic():
        _keys_lock()
        return _key_create(now or clock.now())


def qr_key_current(*, now: datetime | None = None) -> QrKey:
    """The newest key, made under the keys' lock when there is none yet (the first label): two
    first labels at once make one key, not two."""
    key = _newest_key()
    if key is not None:
        return key
    with transaction.atomic():
        _keys_lock()
        key = _newest_key()
        return key if key is not None else _key_create(now or clock.now())


def qr_payload_sign(*, code: str, seller: str, ship_by: datetime) -> str:
    """The signed QR payload of a return's label (``exp``: ``ship_by`` in whole Unix seconds),
    recording the ``exp`` on the key so that it stays published as long as the label needs it.

    One query to read the key; one more only when this ``exp`` is the key's latest yet.
    """
    key = qr_key_current()
    exp = int(ship_by.timestamp())
    payload = qr.sign(code=code, seller=seller, exp=exp, private_key=bytes(key.private_key))
    if key.last_exp is None or key.last_exp < exp:
        # Conditional, so a concurrent signing of a later exp is never overwritten by an earlier one.
        QrKey.objects.filter(Q(last_exp__isnull=True) | Q(last_exp__lt=exp), pk=key.pk).update(last_exp=exp)
    return payload


def label_sign(*, label: Label) -> Label:
    """``label`` with its QR payload signed by the newest key (``exp``: the return's ``ship_by``)."""
    return replace(label, qr_payload=qr_payload_sign(code=label.code, seller=label.seller, ship_by=label.ship_by))


def label_prepare(*, code: str, actor: Actor) -> Label:
    """A return's label ready to draw: ``labels.selectors.label_get``'s contents, QR signed."""
    return label_sign(label=label_get(code=code, actor=actor))
