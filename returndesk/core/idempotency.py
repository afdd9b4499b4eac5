"""Idempotency-Key handling for POSTs that create things or move state (Stripe's model)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from returndesk.core import clock
from returndesk.core.actors import Actor
from returndesk.core.errors import IdempotencyKeyReused, ReturndeskError, ValidationFailed
from returndesk.core.models import IdempotencyRecord
from returndesk.core.problems import problem_response

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def body_digest(body: bytes) -> str:
    """A fingerprint of a request body that never fails: canonical JSON, else the raw bytes.

    JSON is hashed in canonical form so that key order and spacing make no difference; no body
    at all is the same request as ``{}``. Bytes that are not JSON (or not UTF-8) are hashed as
    they came, and text the codec cannot write (a lone surrogate escape) is hashed as it was
    read, so an odd body is answered, never a 500.
    """
    if not body:
        canonical = b"{}"
    else:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            canonical = body
        else:
            text = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            canonical = text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(canonical).hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body or b""), status=record.status_code or 200, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    request: HttpRequest, actor: Actor, produce: Callable[[], HttpResponse], *, path: str | None = None
) -> HttpResponse:
    """Run ``produce`` once per (API key, method, path, Idempotency-Key) and replay its response.

    ``path`` is the canonical form of the request's path when it holds something clients may type
    in several ways (a return code), so that a retry typed differently is still the same request.

    The record is inserted before the effect, in the same transaction: a concurrent repeat
    blocks on the unique index until the first commits, then replays it. Business errors are
    recorded and replayed too; an unexpected failure rolls everything back, so a retry runs anew.
    """
    key = request.headers.get(HEADER)
    if key is None or actor.api_key_id is None:
        return produce()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
            errors=[{"loc": ["header", HEADER], "msg": "invalid length", "type": "invalid_length"}],
        )
    now = clock.now()
    path = path or request.path
    scope = {
        "api_key_id": actor.api_key_id,
        "method": request.method or "",
        "path_digest": hashlib.sha256(path.encode()).hexdigest(),
        "key": key,
    }
    digest = body_digest(request.body)
    with transaction.atomic():
        cutoff = now - timedelta(hours=settings.RETURNDESK["IDEMPOTENCY_KEEP_HOURS"])
        IdempotencyRecord.objects.filter(**scope, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(**scope, path=path, body_digest=digest, created_at=now)
        except IntegrityError:
            record = IdempotencyRecord.objects.get(**scope)
            if record.body_digest != digest:
                raise IdempotencyKeyReused(
                    f"The {HEADER} {key!r} was first used with a different request body."
                ) from None
            return _replay(record)
        try:
            with transaction.atomic():
                response = produce()
        except ReturndeskError as error:
            response = problem_response(error)
        record.status_code = response.status_code
        record.response_body = response.content
        record.content_type = response["Content-Type"]
        record.save(update_fields=["status_code", "response_body", "content_type"])
    return response


def idempotency_purge(*, older_than: timedelta | None = None) -> int:
    """Delete records past their keeping time; returns how many went."""
    keep = older_than or timedelta(hours=settings.RETURNDESK["IDEMPOTENCY_KEEP_HOURS"])
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - keep).delete()
    return deleted
