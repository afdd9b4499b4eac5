"""Plumbing shared by every domain: idempotent replays and shared rate-limit counters."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an Idempotency-Key, replayed for repeats.

    Written in the same transaction as the effect it records, so a replay never describes an
    effect that was rolled back. Keys are scoped to (actor, method, path), the actor as ``Actor``
    names it, (kind, id): an API key by its prefix, a signed-in staff member as ``user:<pk>``, a
    buyer by external id. A page's one-time form token is such a key, scoped to the session's actor.
    """

    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    # The path holds a client-typed code of any length: the scope uses its digest, which fits
    # an index whatever the client sent; the path itself is kept for people.
    path = models.TextField()
    path_digest = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    body_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, default="application/json")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["actor_kind", "actor_id", "method", "path_digest", "key"], name="idempotency_actor_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class RateCounter(models.Model):
    """A fixed-window counter that every worker process shares (the database fallback store)."""

    bucket = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_counter_window"),
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window_start:%H:%M}={self.count}"
