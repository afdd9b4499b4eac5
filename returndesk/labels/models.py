"""Labels: the keys that sign the QR on return labels.

Labels and packing slips themselves are drawn on demand from the return; only the signing keys
are stored.
"""

from __future__ import annotations

from django.db import models


class QrKey(models.Model):
    """An Ed25519 key pair that signs labels' QR payloads.

    The private half never leaves this table: no route, page, admin page or log shows it (the
    model has no admin, and ``__str__`` names the kid only). The newest key signs new labels;
    ``last_exp`` is the latest ``exp`` (Unix seconds) it signed, so an older key stays published
    until a day after the last label it signed can still be handed over.
    """

    kid = models.CharField(max_length=8, unique=True)
    public_key = models.BinaryField(max_length=32)
    private_key = models.BinaryField(max_length=32)
    created_at = models.DateTimeField()
    last_exp = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "QR key"

    def __str__(self) -> str:
        return f"QR key {self.kid}"
