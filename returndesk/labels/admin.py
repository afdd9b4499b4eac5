"""The QR keys, read-only, without their private halves: staff see which keys exist and how long
each stays published, never a secret."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from returndesk.core.admin_base import ReadOnlyAdmin
from returndesk.labels.domain.qr import b64url_encode
from returndesk.labels.models import QrKey


@admin.register(QrKey)
class QrKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "public_key_b64url", "created_at", "last_exp"]
    fields = ["kid", "public_key_b64url", "created_at", "last_exp"]
    readonly_fields = ["public_key_b64url"]
    search_fields = ["kid"]
    ordering = ["-id"]

    @admin.display(description="public key (base64url)")
    def public_key_b64url(self, key: QrKey) -> str:
        return b64url_encode(bytes(key.public_key))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # A filter on the private key would let staff learn it a character at a time.
        if lookup.split(LOOKUP_SEP, 1)[0] == "private_key":
            return False
        return bool(super().lookup_allowed(lookup, value, request))
