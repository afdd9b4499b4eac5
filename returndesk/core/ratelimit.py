"""Fixed-window failure counters shared by every worker process.

Redis when ``REDIS_URL`` is set, else the database (one upserted row per bucket and minute).
A per-process counter would let N workers allow N times the limit, so there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection

from returndesk.core import clock
from returndesk.core.errors import RateLimited
from returndesk.core.models import RateCounter
from returndesk.core.sql import fetch_all, quoted_table

WINDOW = timedelta(minutes=1)


class CounterStore(Protocol):
    def counts(self, buckets: Sequence[str], window_start: datetime) -> list[int]: ...

    def increment(self, buckets: Sequence[str], window_start: datetime) -> int:
        """Count one more in each bucket; the highest count after it."""


class DatabaseCounterStore:
    """Plain SQL: the check runs on every verifier request, where compiling an ORM query would
    cost more than the query. Datetimes go in the backend's own form, as the ORM stores them."""

    @staticmethod
    def _rows_of(buckets: Sequence[str], window_start: datetime) -> tuple[str, list[Any]]:
        placeholders = ", ".join(["%s"] * len(buckets))
        return (
            f"FROM {quoted_table(RateCounter)} WHERE window_start = %s AND bucket IN ({placeholders})",
            [connection.ops.adapt_datetimefield_value(window_start), *buckets],
        )

    def counts(self, buckets: Sequence[str], window_start: datetime) -> list[int]:
        rows_sql, params = self._rows_of(buckets, window_start)
        found = dict(fetch_all(f"SELECT bucket, count {rows_sql}", params))
        return [found.get(bucket, 0) for bucket in buckets]

    def highest_count_sql(self, buckets: Sequence[str], window_start: datetime) -> tuple[str, list[Any]]:
        """A scalar subquery for the highest count among ``buckets``, for another read to carry."""
        rows_sql, params = self._rows_of(buckets, window_start)
        return f"(SELECT coalesce(max(count), 0) {rows_sql})", params

    def increment(self, buckets: Sequence[str], window_start: datetime) -> int:
        table = quoted_table(RateCounter)
        # One atomic upsert per bucket (SQLite and PostgreSQL share this syntax), so concurrent
        # workers never lose an increment to a read-modify-write race.
        sql = (
            f"INSERT INTO {table} (bucket, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (bucket, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count"
        )
        stored_start = connection.ops.adapt_datetimefield_value(window_start)
        counts: list[int] = []
        with connection.cursor() as cursor:
            for bucket in buckets:
                cursor.execute(sql, [bucket, stored_start])
                counts.append(int(cursor.fetchone()[0]))
        return max(counts)


class RedisCounterStore:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2)

    @staticmethod
    def _key(bucket: str, window_start: datetime) -> str:
        return f"returndesk:rl:{bucket}:{int(window_start.timestamp())}"

    def counts(self, buckets: Sequence[str], window_start: datetime) -> list[int]:
        values = self.client.mget([self._key(bucket, window_start) for bucket in buckets])
        return [int(value or 0) for value in values]

    def increment(self, buckets: Sequence[str], window_start: datetime) -> int:
        pipe = self.client.pipeline(transaction=False)
        for bucket in buckets:
            key = self._key(bucket, window_start)
            pipe.incr(key)
            pipe.expire(key, int(WINDOW.total_seconds()) * 2)
        # Every other reply is an INCR's new value (the others are EXPIRE's True).
        return max(int(value) for value in pipe.execute()[::2])


@cache
def counter_store() -> CounterStore:
    return RedisCounterStore(settings.REDIS_URL) if settings.REDIS_URL else DatabaseCounterStore()


def _window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


class FailureLimiter:
    """Allows ``limit`` failures per bucket per minute; past that every request is refused."""

    def __init__(self, *, limit: int, store: CounterStore | None = None) -> None:
        self.limit = limit
        self.store = store

    def _store(self) -> CounterStore:
        return self.store or counter_store()

    def ensure_allowed(self, buckets: Sequence[str], *, now: datetime | None = None) -> None:
        now = now or clock.now()
        self.ensure_below_limit(max(self._store().counts(buckets, _window_start(now))), now=now)

    def ensure_below_limit(self, highest_count: int, *, now: datetime) -> None:
        """Refuse when a bucket has used up its failures for this minute."""
        if highest_count >= self.limit:
            retry_after = max(1, int((_window_start(now) + WINDOW - now).total_seconds() + 0.999))
            raise RateLimited(
                f"Too many unsuccessful look-ups; try again in {retry_after} seconds.", retry_after=retry_after
            )

    def count_sql(self, buckets: Sequence[str], *, now: datetime) -> tuple[str, list[Any]] | None:
        """The check as SQL another read can carry (one round trip instead of two), when the
        counters live in the database; None when they live in Redis."""
        store = self._store()
        if isinstance(store, DatabaseCounterStore):
            return store.highest_count_sql(buckets, _window_start(now))
        return None

    def record_failure(self, buckets: Sequence[str], *, now: datetime | None = None) -> None:
        """Count a failure; refuse it too when concurrent failures took the last ones allowed.

        The check before a look-up lets in every request that arrives while a bucket is below its
        limit; counting first and refusing past the limit keeps the failures answered to exactly
        ``limit`` a minute, however many requests race.
        """
        now = now or clock.now()
        self.ensure_below_limit(self._store().increment(buckets, _window_start(now)) - 1, now=now)


def counters_purge(*, now: datetime | None = None) -> int:
    """Delete database counters of windows long gone; returns how many went."""
    cutoff = _window_start(now or clock.now()) - WINDOW
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
