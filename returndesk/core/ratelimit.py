"""Fixed-window counters shared by every worker process.

Each limiter has its own window (a minute unless told; at most ``LONGEST_WINDOW``), aligned on
the epoch. Redis when ``REDIS_URL`` is set, else the database (one upserted row per bucket and
window);
while Redis is unreachable, the database too. A per-process counter would let N workers allow N
times the limit, so there is none.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver

from returndesk.core import clock
from returndesk.core.errors import RateLimited
from returndesk.core.models import RateCounter
from returndesk.core.sql import fetch_all, quoted_table

WINDOW = timedelta(minutes=1)
# The longest window a limiter may have: ``counters_purge`` keeps every counter this long, so
# each lives until its own window has ended.
LONGEST_WINDOW = timedelta(hours=1)
# How long the counters stay in the database after Redis failed to answer, before Redis is asked
# again: during an outage only one request in this many seconds waits for Redis to fail.
REDIS_RETRY_SECONDS = 5.0

logger = logging.getLogger(__name__)
T = TypeVar("T")


class CounterStore(Protocol):
    def counts(self, buckets: Sequence[str], window_start: datetime) -> list[int]: ...

    def increment(self, buckets: Sequence[str], window_start: datetime, window: timedelta = WINDOW) -> int:
        """Count one more in each bucket of a ``window`` starting at ``window_start``; the
        highest count after it."""

    def highest_count_sql(self, buckets: Sequence[str], window_start: datetime) -> tuple[str, list[Any]] | None:
        """The highest count among ``buckets`` as a scalar subquery, when the counters are in the
        database (another read can then carry the check); None when they are not."""


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
        rows_sql, params = self._rows_of(buckets, window_start)
        return f"(SELECT coalesce(max(count), 0) {rows_sql})", params

    def increment(self, buckets: Sequence[str], window_start: datetime, window: timedelta = WINDOW) -> int:
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
        # What a Redis that is down, restarting or out of reach raises.
        self.unreachable: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)

    @staticmethod
    def _key(bucket: str, window_start: datetime) -> str:
        return f"returndesk:rl:{bucket}:{int(window_start.timestamp())}"

    def counts(self, buckets: Sequence[str], window_start: datetime) -> list[int]:
        values = self.client.mget([self._key(bucket, window_start) for bucket in buckets])
        return [int(value or 0) for value in values]

    def increment(self, buckets: Sequence[str], window_start: datetime, window: timedelta = WINDOW) -> int:
        pipe = self.client.pipeline(transaction=False)
        for bucket in buckets:
            key = self._key(bucket, window_start)
            pipe.incr(key)
            # Kept a window past its own end, whatever the clock skew between workers.
            pipe.expire(key, int(window.total_seconds()) * 2)
        # Every other reply is an INCR's new value (the others are EXPIRE's True).
        return max(int(value) for value in pipe.execute()[::2])

    def highest_count_sql(self, buckets: Sequence[str], window_start: datetime) -> None:
        return None


class RedisWithDatabaseFallback:
    """Redis, and the database counters while Redis does not answer.

    An unreachable Redis must not take the verifier down with it: the limits go on being
    enforced from the database, with one warning when Redis stops answering and one when it
    answers again, not one a request. After a failure Redis is asked again every
    ``retry_seconds``. Counts made in one store are not seen by the other, so in the minute
    Redis fails or comes back a bucket may allow up to twice its limit.
    """

    def __init__(
        self, redis: RedisCounterStore, database: DatabaseCounterStore, *, retry_seconds: float = REDIS_RETRY_SECONDS
    ) -> None:
        self.redis = redis
        self.database = database
        self.retry_seconds = retry_seconds
        # The monotonic time before which Redis is not asked again; None while Redis answers.
        self._skip_redis_until: float | None = None

    def _redis_skipped(self) -> bool:
        return self._skip_redis_until is not None and time.monotonic() < self._skip_redis_until

    def _either(self, in_redis: Callable[[], T], in_database: Callable[[], T]) -> T:
        if not self._redis_skipped():
            try:
                answer = in_redis()
            except self.redis.unreachable as error:
                if self._skip_redis_until is None:
                    logger.warning("Redis does not answer (%s); counting failed look-ups in the database.", error)
                self._skip_redis_until = time.monotonic() + self.retry_seconds
            else:
                if self._skip_redis_until is not None:
                    logger.warning("Redis answers again; counting failed look-ups in Redis.")
                    self._skip_redis_until = None
                return answer
        return in_database()

    def counts(self, buckets: Sequence[str], window_start: datetime) -> list[int]:
        return self._either(
            lambda: self.redis.counts(buckets, window_start), lambda: self.database.counts(buckets, window_start)
        )

    def increment(self, buckets: Sequence[str], window_start: datetime, window: timedelta = WINDOW) -> int:
        return self._either(
            lambda: self.redis.increment(buckets, window_start, window),
            lambda: self.database.increment(buckets, window_start, window),
        )

    def highest_count_sql(self, buckets: Sequence[str], window_start: datetime) -> tuple[str, list[Any]] | None:
        if self._redis_skipped():
            return self.database.highest_count_sql(buckets, window_start)
        return None


@cache
def counter_store() -> CounterStore:
    if settings.REDIS_URL:
        return RedisWithDatabaseFallback(RedisCounterStore(settings.REDIS_URL), DatabaseCounterStore())
    return DatabaseCounterStore()


@receiver(setting_changed)
def _forget_counter_store(*, setting: str, **_kwargs: Any) -> None:
    """``override_settings(REDIS_URL=...)`` takes effect, like every other setting."""
    if setting == "REDIS_URL":
        counter_store.cache_clear()


def _window_start(now: datetime, window: timedelta = WINDOW) -> datetime:
    """The start of the ``window`` holding ``now``: windows are aligned on the epoch (a minute's
    on the minute, an hour's on the hour)."""
    if window == WINDOW:
        return now.replace(second=0, microsecond=0)
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


@dataclass(frozen=True)
class LimitCheck:
    """The failure check as SQL for a read to carry: the read goes on only while ``count_sql``
    (the highest count of the request's buckets) is below ``limit``, and answers the count."""

    count_sql: str
    params: list[Any]
    limit: int


class FailureLimiter:
    """Allows ``limit`` failures per bucket per ``window`` (a minute unless told); past that every
    request is refused.

    ``limit`` may be a function, called each time the limit is used: a limiter made at import
    then follows the settings, ``override_settings`` included. ``error`` is the refusal raised,
    a ``RateLimited`` (``rate_limited``) with its own words.
    """

    def __init__(
        self,
        *,
        limit: int | Callable[[], int],
        store: CounterStore | None = None,
        window: timedelta = WINDOW,
        error: type[RateLimited] = RateLimited,
        message: str = "Too many unsuccessful look-ups; try again in {retry_after} seconds.",
    ) -> None:
        if not timedelta(0) < window <= LONGEST_WINDOW:
            raise ValueError(f"a limiter's window is more than nothing and at most {LONGEST_WINDOW}")
        self._limit = limit
        self.store = store
        self.window = window
        self.error = error
        self.message = message

    @property
    def limit(self) -> int:
        return self._limit() if callable(self._limit) else self._limit

    def _store(self) -> CounterStore:
        return self.store or counter_store()

    def ensure_allowed(self, buckets: Sequence[str], *, now: datetime | None = None) -> None:
        now = now or clock.now()
        self.ensure_below_limit(max(self._store().counts(buckets, _window_start(now, self.window))), now=now)

    def ensure_below_limit(self, highest_count: int, *, now: datetime) -> None:
        """Refuse when a bucket has used up its failures for this minute."""
        if highest_count >= self.limit:
            window_end = _window_start(now, self.window) + self.window
            retry_after = max(1, int((window_end - now).total_seconds() + 0.999))
            raise self.error(self.message.format(retry_after=retry_after), retry_after=retry_after)

    def check_sql(self, buckets: Sequence[str], *, now: datetime) -> LimitCheck | None:
        """The check as SQL a read can carry (one round trip instead of two), when the counters
        are in the database; None when they are in Redis, to be checked with ``ensure_allowed``."""
        count = self._store().highest_count_sql(buckets, _window_start(now, self.window))
        return None if count is None else LimitCheck(count[0], count[1], self.limit)

    def record_failure(self, buckets: Sequence[str], *, now: datetime | None = None) -> None:
        """Count a failure; refuse it too when concurrent failures took the last ones allowed.

        The check before a look-up lets in every request that arrives while a bucket is below its
        limit; counting first and refusing past the limit keeps the failures answered to exactly
        ``limit`` a minute, however many requests race.
        """
        now = now or clock.now()
        count = self._store().increment(buckets, _window_start(now, self.window), self.window)
        self.ensure_below_limit(count - 1, now=now)


def counters_purge(*, now: datetime | None = None) -> int:
    """Delete database counters of windows long gone; returns how many went.

    The table does not say which window a counter counts, so each is kept until the longest
    window that started with it would have ended.
    """
    cutoff = _window_start(now or clock.now()) - LONGEST_WINDOW
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
