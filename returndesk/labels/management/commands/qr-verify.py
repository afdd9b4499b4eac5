# ruff: noqa: N999 - the command is named as the issue spells it: `returndesk qr-verify`
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from returndesk.core import clock
from returndesk.labels.domain import qr
from returndesk.labels.errors import QrExpired, QrInvalid

INVALID, EXPIRED = 1, 2


def keys_from_file(path: Path, *, now: datetime) -> dict[str, bytes]:
    """The keys of a saved ``GET /api/v1/keys/qr`` answer that are still to be trusted at ``now``.

    Each key's kid is checked against its public key: a file that says otherwise is refused.
    """
    try:
        keys = json.loads(path.read_text(encoding="utf-8"))["keys"]
        published: dict[str, bytes] = {}
        for key in keys:
            public_key = qr.b64url_decode(key["public_key"])
            if key["alg"] != qr.ALG or len(public_key) != qr.KEY_BYTES:
                raise ValueError(f"key {key['kid']!r} is not a raw {qr.ALG} public key")
            if qr.kid_of(public_key) != key["kid"]:
                raise ValueError(f"key {key['kid']!r}: the kid is not that of its public key")
            not_after = parse_datetime(key["not_after"]) if key["not_after"] is not None else None
            if not_after is None and key["not_after"] is not None:
                raise ValueError(f"key {key['kid']!r}: not_after is not a date and time")
            if not_after is None or now < not_after:
                published[key["kid"]] = public_key
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"cannot read the keys in {path}: {error}", returncode=INVALID) from error
    return published


class Command(BaseCommand):
    help = (
        "Verify a label's QR payload (RD1.<code>.<seller>.<exp>.<kid>.<sig>): prints "
        "'valid <code> <seller external id> <exp>' and exits 0; exits 1 for a malformed payload, an unknown "
        "kid or a bad signature, 2 once exp has passed. --keys FILE (a saved GET /api/v1/keys/qr answer) "
        "checks without the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("payload", metavar="PAYLOAD")
        parser.add_argument(
            "--keys", metavar="FILE", type=Path, help="the JSON of GET /api/v1/keys/qr; no database is used"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        if options["keys"] is not None:
            public_keys = keys_from_file(options["keys"], now=now)
        else:
            from returndesk.labels.selectors import qr_public_keys

            public_keys = qr_public_keys(now=now)
        try:
            payload = qr.verify(options["payload"], public_keys=public_keys, now=now)
        except QrInvalid as error:
            raise CommandError(f"invalid ({error.reason}): {error.detail}", returncode=INVALID) from error
        except QrExpired as error:
            expired = error.payload
            raise CommandError(
                f"expired {expired.code} {expired.seller} {expired.exp}: {error.detail}", returncode=EXPIRED
            ) from error
        self.stdout.write(f"valid {payload.code} {payload.seller} {payload.exp}")
