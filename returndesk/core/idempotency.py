"""Idempotency-Key handling for POSTs that create things or move state (Stripe's model)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse

from returndesk.core import clock
from returndesk.core.actors import Actor
from returndesk.core.errors import IdempotencyAnswerWithheld, IdempotencyKeyReused, ReturndeskError, ValidationFailed
from returndesk.core.models import IdempotencyRecord
from returndesk.core.problems import problem_response
from returndesk.core.sql import fetch_all, flush_queued, queue_insert, quoted_table, row_to_instances, select_columns
from returndesk.core.transactions import all_or_nothing

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
    if record.response_body is None:
        raise IdempotencyAnswerWithheld(
            f"The first request with this {HEADER} succeeded ({record.status_code}), and its answer held a secret "
            "that is shown once and never stored: it is not replayed. The effect happened once; "
            "ask for a new secret (a new password or link) if the first answer was lost."
        )
    response = HttpResponse(
        bytes(record.response_body or b""), status=record.status_code or 200, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class _Refused(Exception):
    """Carries a business error's answer out of the transaction, so its effects roll back."""

    def __init__(self, response: HttpResponse, error: ReturndeskError) -> None:
        self.response = response
        self.error = error


def _lasting_effects(error: ReturndeskError) -> None:
    """Redo what ``error`` says must outlast its refusal, which the rollback just undid."""
    for effect in error.lasting_effects:
        effect()


class _Preempted(Exception):
    """The record's insert found one of the same scope: a concurrent request with the same key
    committed its record first, or (not read first) a record was already there."""


def idempotent(
    request: HttpRequest,
    actor: Actor,
    produce: Callable[[], HttpResponse],
    *,
    path: str | None = None,
    secret_answer: bool = False,
    read_first: bool = True,
) -> HttpResponse:
    """Run ``produce`` once per (actor, method, path, Idempotency-Key) and replay its response.

    ``path`` is the canonical form of the request's path when it holds something clients may type
    in several ways (a return code), so that a retry typed differently is still the same request.

    ``secret_answer`` marks a route whose successful answer holds a secret (a password, a sign-in
    link): the key still makes the effect happen once, but only the answer's status is kept, and a
    repeat is refused with 409 ``idempotent_answer_withheld`` rather than replayed. Its refusals
    hold no secret and replay as usual.

    One transaction reads the record (a repeat replays it), runs the effect and stores its answer:
    two statements beside the effect's own (on PostgreSQL the record's insert also writes what the
    effect left queued, ``core.sql.writes_queued``). Two requests racing with one key both run; the second
    one's insert waits on the unique index for the first to commit, fails, rolls its effect back
    and replays the first answer. A business error rolls the effect back and is recorded in a
    transaction of its own, so its repeat is replayed too; an unexpected failure records nothing,
    so a retry runs anew.

    ``read_first=False``, for a hot route whose effect does nothing outside the database before
    its commit (no counter kept elsewhere, no call out): the record is not read before the effect,
    one statement less for every new key, which is nearly every request. A repeat then runs the
    effect again; the record's insert fails on the unique index, which rolls the effect back, and
    the repeat is answered as above, reading first. A refusal is always recorded reading first,
    so a refused repeat replays the first answer and redoes no lasting effect.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return produce()
    _check_key(key, loc=["header", HEADER])
    path = path or request.path
    scope = _scope(actor, request.method or "", path, key)
    digest = body_digest(request.body)

    def produce_or_refuse() -> HttpResponse:
        try:
            return produce()
        except ReturndeskError as error:
            raise _Refused(problem_response(error), error) from error

    try:
        return _answer_once(
            scope,
            path=path,
            digest=digest,
            key=key,
            answer=produce_or_refuse,
            keep_body=not secret_answer,
            read_first=read_first,
        )
    except _Refused as refused:
        refusal, error = refused.response, refused.error

        def record_refusal() -> HttpResponse:
            _lasting_effects(error)
            return refusal

        # The effect rolled back with its transaction; the refusal is recorded in one of its own
        # (whose read also redoes the rolled-back deletion of an outlived record), with what the
        # refusal must leave behind: a replay finds the record and redoes neither.
        return _answer_once(scope, path=path, digest=digest, key=key, answer=record_refusal)


def _check_key(key: str, *, loc: list[str]) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
            errors=[{"loc": loc, "msg": "invalid length", "type": "invalid_length"}],
        )


# The columns naming one record, in the order of its unique constraint, and that constraint.
_SCOPE_COLUMNS = ("actor_kind", "actor_id", "method", "path_digest", "key")
_SCOPE_CONSTRAINT = "idempotency_actor_scope"


def _scope(actor: Actor, method: str, path: str, key: str) -> dict[str, object]:
    """The columns naming one record: who sent the key, to what, and the key."""
    return {
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "method": method,
        "path_digest": hashlib.sha256(path.encode()).hexdigest(),
        "key": key,
    }


# What ``once_per_token`` hands back: the JSON its effect returned, stored and replayed as is.
JsonValue = str | int | float | bool | None | list[Any] | dict[str, Any]


def once_per_token(
    *, actor: Actor, token: str, path: str, fingerprint: object, effect: Callable[[], JsonValue]
) -> JsonValue:
    """Run a page's ``effect`` once per (actor, ``path``, ``token``) and answer what it first
    returned to every repeat: a double-submitted form redirects where the first submit did.

    ``token`` is the form's one-time token (the page's Idempotency-Key, 1-255 characters, else 422
    ``validation_error``), scoped to the session's ``actor`` in the records the API keeps for its
    keys; ``path`` is the form's action. ``effect`` returns what the page needs to answer again,
    as JSON (e.g. the new return's code); ``fingerprint`` is what was submitted (JSON-serialisable),
    and the same token with another fingerprint is 422 ``idempotency_key_reused``.

    The effect and its record commit together; a ``ReturndeskError`` from the effect rolls both
    back and records nothing (but its ``lasting_effects``), so the person can correct the form and
    send it again with the same token. Two submits racing: the second waits for the first and answers its value.
    """
    _check_key(token, loc=["form", "token"])
    canonical = json.dumps(fingerprint, sort_keys=True, separators=(",", ":"), default=str).encode()
    scope = _scope(actor, "POST", path, token)

    def answer() -> HttpResponse:
        return HttpResponse(json.dumps(effect()).encode(), content_type="application/json")

    try:
        response = _answer_once(scope, path=path, digest=body_digest(canonical), key=token, answer=answer)
    except ReturndeskError as error:
        if error.lasting_effects:
            with transaction.atomic():
                _lasting_effects(error)
        raise
    value: JsonValue = json.loads(response.content)
    return value


def _answer_once(
    scope: dict[str, object],
    *,
    path: str,
    digest: str,
    key: str,
    answer: Callable[[], HttpResponse],
    keep_body: bool = True,
    read_first: bool = True,
) -> HttpResponse:
    """In one transaction, replay the live record of ``scope``, or ``answer()`` and store that
    answer; ``read_first=False`` stores the answer unless a record is already there, and then
    answers again reading first (``idempotent``)."""
    try:
        # Any error in here rolls it all back: the effect's own transaction needs no savepoint.
        with all_or_nothing():
            if read_first:
                stored = _live_record(scope)
                if stored is not None:
                    return _replay_same_body(stored, digest, key)
            response = answer()
            _store(scope, path=path, digest=digest, response=response, keep_body=keep_body)
            return response
    except _Preempted:
        if not read_first:
            # A record was there before the effect (a repeat's, or one outlived and not yet
            # purged), or a concurrent request's committed first: the effect rolled back.
            return _answer_once(scope, path=path, digest=digest, key=key, answer=answer, keep_body=keep_body)
        return _replay_same_body(IdempotencyRecord.objects.get(**scope), digest, key)


@functools.cache
def _record_sql(vendor: str) -> str:
    columns = " AND ".join(f"{connection.ops.quote_name(column)} = %s" for column in _SCOPE_COLUMNS)
    return f"SELECT {select_columns(IdempotencyRecord, 'i')} FROM {quoted_table(IdempotencyRecord)} i WHERE {columns}"  # noqa: S608


def _live_record(scope: dict[str, object]) -> IdempotencyRecord | None:
    """The record of this scope, unless it outlived its keeping time (then it goes).

    Plain SQL, as is the insert: every keyed request reads and writes one record, and a counter's
    handover sends a key with each parcel. Not prepared: a generic plan made while the table was
    still empty would scan it whole on every request (``core.sql.fetch_all``)."""
    rows = fetch_all(_record_sql(connection.vendor), [scope[column] for column in _SCOPE_COLUMNS], prepare=False)
    if not rows:
        return None
    (record,) = row_to_instances(rows[0], IdempotencyRecord)
    assert isinstance(record, IdempotencyRecord)
    if record.created_at < clock.now() - timedelta(hours=settings.RETURNDESK["IDEMPOTENCY_KEEP_HOURS"]):
        record.delete()
        return None
    return record


def _store(scope: dict[str, object], *, path: str, digest: str, response: HttpResponse, keep_body: bool = True) -> None:
    try:
        with transaction.atomic(savepoint=False):
            # With whatever the effect left queued (``core.sql.writes_queued``): one statement.
            queue_insert(
                [
                    IdempotencyRecord(
                        **scope,
                        path=path,
                        body_digest=digest,
                        created_at=clock.now(),
                        status_code=response.status_code,
                        response_body=response.content if keep_body else None,
                        content_type=response["Content-Type"],
                    )
                ]
            )
            flush_queued()
    except IntegrityError as error:
        if not _record_conflict(error):
            raise  # one of the effect's own rows, written with the record: not a repeat
        raise _Preempted from error


def _record_conflict(error: IntegrityError) -> bool:
    """Whether the insert failed on the record's own scope (another record there), not on a row of
    the effect's written in the same statement (``core.sql.writes_queued``, PostgreSQL only)."""
    diagnostic = getattr(error.__cause__, "diag", None)
    return diagnostic is None or diagnostic.constraint_name == _SCOPE_CONSTRAINT


def _replay_same_body(record: IdempotencyRecord, digest: str, key: str) -> HttpResponse:
    if record.body_digest != digest:
        raise IdempotencyKeyReused(f"The {HEADER} {key!r} was first used with a different request body.")
    return _replay(record)


def idempotency_purge(*, older_than: timedelta | None = None) -> int:
    """Delete records past their keeping time; returns how many went."""
    keep = older_than or timedelta(hours=settings.RETURNDESK["IDEMPOTENCY_KEEP_HOURS"])
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - keep).delete()
    return deleted
