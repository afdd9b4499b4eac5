"""Limiters with windows of their own: an hour's counts live on the hour, in both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from returndesk.core.errors import RateLimited
from returndesk.core.ratelimit import CounterStore, DatabaseCounterStore, FailureLimiter, RedisCounterStore

HOUR = timedelta(hours=1)
AT = datetime(2026, 3, 1, 10, 20, 30, tzinfo=UTC)


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, db: None) -> CounterStore:
    if request.param == "redis":
        return RedisCounterStore(request.getfixturevalue("redis_url"))
    return DatabaseCounterStore()


def test_an_hours_window_counts_until_the_hour_ends(store):
    limiter = FailureLimiter(limit=2, store=store, window=HOUR)
    limiter.record_failure(["b"], now=AT)
    limiter.record_failure(["b"], now=AT + timedelta(minutes=30))

    with pytest.raises(RateLimited) as refused:
        limiter.ensure_allowed(["b"], now=AT + timedelta(minutes=39))
    limiter.ensure_allowed(["b"], now=datetime(2026, 3, 1, 11, 0, tzinfo=UTC))

    assert refused.value.retry_after == 30


def test_a_minutes_window_and_an_hours_window_keep_apart(store):
    minute, hour = FailureLimiter(limit=1, store=store), FailureLimiter(limit=1, store=store, window=HOUR)
    hour.record_failure(["hour"], now=AT)
    minute.record_failure(["minute"], now=AT)

    minute.ensure_allowed(["minute"], now=AT + timedelta(minutes=1))
    with pytest.raises(RateLimited):
        hour.ensure_allowed(["hour"], now=AT + timedelta(minutes=1))


def test_redis_keeps_a_counter_for_twice_its_own_window(redis_url):
    store = RedisCounterStore(redis_url)
    FailureLimiter(limit=5, store=store, window=HOUR).record_failure(["hourly"], now=AT)
    FailureLimiter(limit=5, store=store).record_failure(["minutely"], now=AT)

    ttls = {key.decode().split(":")[2]: store.client.ttl(key) for key in store.client.keys("returndesk:rl:*ly:*")}

    assert 7100 < ttls["hourly"] <= 7200
    assert 100 < ttls["minutely"] <= 120


@pytest.mark.parametrize("window", [timedelta(0), timedelta(hours=1, seconds=1)])
def test_a_window_is_more_than_nothing_and_at_most_an_hour(window):
    with pytest.raises(ValueError, match="window"):
        FailureLimiter(limit=1, window=window)
