"""Failed code look-ups are rate limited per API key and per drop-off point, in a shared store.

Only the answers a guess gets (malformed, typo, unknown, wrong item) are failures. The behaviour
tests run against both stores the service can be configured with: the database (the default) and
Redis (skipped when no Redis is reachable, unless RETURNDESK_REQUIRE_SERVICES names it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings

from returndesk.core.errors import RateLimited
from returndesk.core.models import RateCounter
from returndesk.core.ratelimit import CounterStore, DatabaseCounterStore, FailureLimiter, RedisCounterStore
from returndesk.returns import services
from returndesk.returns.domain.verification import Result
from returndesk.returns.models import Return
from returndesk.testing import NOW, Keys, frozen_clock

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

LIMIT = 3
# The frozen wall clock of the API tests: 30 seconds into the minute.
CLOCK = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
MINUTE = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
UNKNOWN_CODE = "RD0000000001M"


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, db: None) -> CounterStore:
    if request.param == "redis":
        return RedisCounterStore(request.getfixturevalue("redis_url"))
    return DatabaseCounterStore()


@pytest.fixture
def limited(store: CounterStore, monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[CounterStore]:
    """The verifier allows LIMIT failures a minute (the setting, read when used), counted in
    ``store``; the services' clock reads CLOCK."""
    settings.RETURNDESK = {**settings.RETURNDESK, "VERIFY_FAILURES_PER_MINUTE": LIMIT}
    monkeypatch.setattr(services.verify_failures, "store", store)
    with frozen_clock(CLOCK):
        yield store


@pytest.fixture
def approved(make_return, keys) -> Return:
    """A return whose code is valid at CLOCK."""
    ret = make_return()
    return services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=NOW)


def get(keys: Keys, key: str, code: str, **query: str) -> Any:
    return keys.client(key).get(f"/api/v1/codes/{code}", query)


def results(responses: list[Any]) -> list[tuple[int, str]]:
    return [(response.status_code, response.json().get("result") or response.json()["code"]) for response in responses]


RATE_LIMITED_30S = {
    "type": "urn:returndesk:problem:rate_limited",
    "title": "Too many failed look-ups",
    "status": 429,
    "detail": "Too many unsuccessful look-ups; try again in 30 seconds.",
    "code": "rate_limited",
    "retry_after": 30,
}


# --- Through the API ---------------------------------------------------------------------------


def test_failures_past_the_limit_are_refused_with_429_even_for_a_valid_code(limited, approved, keys):
    failures = [get(keys, "carrier", "XYZ"), get(keys, "carrier", "K7Q2XM4D9T300"), get(keys, "carrier", UNKNOWN_CODE)]

    refused = get(keys, "carrier", UNKNOWN_CODE)
    valid_refused = get(keys, "carrier", approved.code)

    assert results(failures) == [(200, "malformed"), (200, "typo"), (200, "unknown")]
    assert (refused.status_code, refused["Content-Type"], refused["Retry-After"]) == (
        429,
        "application/problem+json",
        "30",
    )
    assert refused.json() == RATE_LIMITED_30S
    assert (valid_refused.status_code, valid_refused["Retry-After"], valid_refused.json()) == (
        429,
        "30",
        RATE_LIMITED_30S,
    )


def test_the_limit_is_per_key(limited, approved, keys):
    for _ in range(LIMIT):
        get(keys, "carrier", UNKNOWN_CODE)

    assert results(
        [get(keys, "carrier", approved.code), get(keys, "platform", approved.code), get(keys, "platform", UNKNOWN_CODE)]
    ) == [(429, "rate_limited"), (200, "valid"), (200, "unknown")]


def test_valid_answers_do_not_count(limited, approved, keys):
    valid = [get(keys, "carrier", approved.code) for _ in range(2 * LIMIT)]
    failures = [get(keys, "carrier", UNKNOWN_CODE) for _ in range(LIMIT)]

    refused = get(keys, "carrier", approved.code)

    assert results(valid + failures) == [(200, "valid")] * (2 * LIMIT) + [(200, "unknown")] * LIMIT
    assert refused.status_code == 429


def test_failures_are_limited_per_drop_off_point_across_one_carriers_keys(limited, approved, keys):
    keys.make("carrier_1", role="carrier", carrier="post-a")
    keys.make("carrier_2", role="carrier", carrier="post-a")
    failures = [
        get(keys, "carrier_1", UNKNOWN_CODE, point_id="P-1"),
        get(keys, "carrier_1", UNKNOWN_CODE, point_id="P-1"),
        get(keys, "carrier_2", UNKNOWN_CODE, point_id="P-1"),
    ]

    answers = [
        get(keys, "carrier_2", approved.code, point_id="P-1"),
        get(keys, "carrier_2", approved.code),
        get(keys, "carrier_2", approved.code, point_id="P-2"),
    ]

    assert results(failures) == [(200, "unknown")] * 3
    assert results(answers) == [(429, "rate_limited"), (200, "valid"), (200, "valid")]


def test_only_carriers_failures_count_against_a_drop_off_point(limited, approved, keys):
    failures = [get(keys, "platform", UNKNOWN_CODE, point_id="P-1") for _ in range(LIMIT)]

    answer = get(keys, "carrier", approved.code, point_id="P-1")

    assert results(failures) == [(200, "unknown")] * LIMIT
    assert results([answer]) == [(200, "valid")]


# --- The service, with an explicit now ---------------------------------------------------------


def _check(keys: Keys, code: str, now: datetime, **query: str) -> Result:
    return services.code_check(actor=keys.actors["carrier"], raw_code=code, now=now, **query).verdict.result


def test_a_new_minute_resets_the_count(limited, approved, keys):
    at = [
        MINUTE + timedelta(seconds=10),
        MINUTE + timedelta(seconds=20),
        MINUTE + timedelta(seconds=59, microseconds=900_000),
    ]
    answers = [_check(keys, UNKNOWN_CODE, now) for now in at]

    with pytest.raises(RateLimited) as refused:
        _check(keys, approved.code, MINUTE + timedelta(seconds=59, microseconds=999_999))
    next_minute = [
        _check(keys, approved.code, MINUTE + timedelta(minutes=1)),
        _check(keys, UNKNOWN_CODE, MINUTE + timedelta(minutes=1, seconds=1)),
    ]

    assert answers == [Result.UNKNOWN] * 3
    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (429, "rate_limited", 1)
    assert next_minute == [Result.VALID, Result.UNKNOWN]


@pytest.mark.parametrize(("second", "retry_after"), [(0, 60), (1, 59), (30, 30), (59, 1)])
def test_retry_after_counts_to_the_end_of_the_minute(limited, keys, second, retry_after):
    for _ in range(LIMIT):
        _check(keys, UNKNOWN_CODE, MINUTE)

    with pytest.raises(RateLimited) as refused:
        _check(keys, UNKNOWN_CODE, MINUTE + timedelta(seconds=second))

    assert refused.value.retry_after == retry_after


def _wrong_item(ret: Return, keys: Keys) -> tuple[str, dict[str, str]]:
    services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=NOW)
    return ret.code, {"sku": "SKU-2"}


def _typo(ret: Return, keys: Keys) -> tuple[str, dict[str, str]]:
    return "K7Q2XM4D9T300", {}


def _malformed(ret: Return, keys: Keys) -> tuple[str, dict[str, str]]:
    return "K7Q2", {}


def _unknown(ret: Return, keys: Keys) -> tuple[str, dict[str, str]]:
    return UNKNOWN_CODE, {}


@pytest.mark.parametrize(
    ("prepare", "result"),
    [
        (_malformed, Result.MALFORMED),
        (_typo, Result.TYPO),
        (_unknown, Result.UNKNOWN),
        (_wrong_item, Result.WRONG_ITEM),
    ],
    ids=["malformed", "typo", "unknown", "wrong_item"],
)
def test_a_guess_is_a_failure(
    limited, make_return, keys, prepare: Callable[[Return, Keys], tuple[str, dict[str, str]]], result: Result
):
    code, query = prepare(make_return(), keys)
    answers = [_check(keys, code, MINUTE, **query) for _ in range(LIMIT)]

    with pytest.raises(RateLimited):
        _check(keys, code, MINUTE, **query)

    assert answers == [result] * LIMIT


def test_the_limit_comes_from_the_settings():
    assert services.verify_failures.limit == settings.RETURNDESK["VERIFY_FAILURES_PER_MINUTE"]


# --- The stores --------------------------------------------------------------------------------


def test_a_store_counts_per_bucket_and_minute(store):
    store.increment(["verify:key:a", "verify:point:p"], MINUTE)
    store.increment(["verify:key:a"], MINUTE)

    assert store.counts(["verify:key:a", "verify:point:p", "verify:key:b"], MINUTE) == [2, 1, 0]
    assert store.counts(["verify:key:a", "verify:point:p"], MINUTE + timedelta(minutes=1)) == [0, 0]


def test_two_limiters_on_one_store_share_their_counts(store):
    worker_1, worker_2 = FailureLimiter(limit=LIMIT, store=store), FailureLimiter(limit=LIMIT, store=store)
    worker_1.record_failure(["verify:key:a"], now=MINUTE)
    worker_2.record_failure(["verify:key:a"], now=MINUTE + timedelta(seconds=1))
    worker_1.record_failure(["verify:key:a"], now=MINUTE + timedelta(seconds=2))

    with pytest.raises(RateLimited):
        worker_2.ensure_allowed(["verify:key:a"], now=MINUTE + timedelta(seconds=3))


def test_the_database_store_keeps_one_row_per_bucket_and_minute(db, approved, keys, monkeypatch):
    monkeypatch.setattr(services.verify_failures, "store", DatabaseCounterStore())
    for now in (MINUTE, MINUTE + timedelta(seconds=30), MINUTE + timedelta(minutes=1)):
        services.code_check(actor=keys.actors["carrier"], raw_code=UNKNOWN_CODE, point_id="P-1", now=now)
    services.code_check(actor=keys.actors["platform"], raw_code=UNKNOWN_CODE, point_id="P-1", now=MINUTE)
    services.code_check(actor=keys.actors["platform"], raw_code=approved.code, point_id="P-1", now=MINUTE)

    carrier, platform = keys.actors["carrier"].id, keys.actors["platform"].id
    assert sorted(RateCounter.objects.values_list("bucket", "window_start", "count")) == sorted(
        [
            (f"verify:key:{carrier}", MINUTE, 2),
            (f"verify:key:{carrier}", MINUTE + timedelta(minutes=1), 1),
            (f"verify:key:{platform}", MINUTE, 1),
            # The platform's failure at P-1 counts against its key only: points belong to carriers.
            (f"verify:point:{carrier}:P-1", MINUTE, 2),
            (f"verify:point:{carrier}:P-1", MINUTE + timedelta(minutes=1), 1),
        ]
    )


def test_the_redis_store_keys_expire_after_two_minutes(redis_url):
    store = RedisCounterStore(redis_url)

    store.increment(["verify:key:a", "verify:point:p"], MINUTE)

    key = f"returndesk:rl:verify:key:a:{int(MINUTE.timestamp())}"
    assert (store.client.get(key), store.client.ttl(key)) == (b"1", 120)
    assert store.client.ttl(f"returndesk:rl:verify:point:p:{int(MINUTE.timestamp())}") == 120


def test_the_redis_store_counts_are_shared_between_clients(redis_url):
    worker_1, worker_2 = RedisCounterStore(redis_url), RedisCounterStore(redis_url)

    worker_1.increment(["verify:key:a"], MINUTE)
    worker_2.increment(["verify:key:a"], MINUTE)

    assert (worker_1.counts(["verify:key:a"], MINUTE), worker_2.counts(["verify:key:a"], MINUTE)) == ([2], [2])


def test_an_increment_answers_the_highest_count_after_it(store):
    assert [
        store.increment(["verify:key:a", "verify:point:p"], MINUTE),
        store.increment(["verify:key:a"], MINUTE),
        store.increment(["verify:point:p", "verify:key:b"], MINUTE),
    ] == [1, 2, 2]


def test_a_failure_counted_past_the_limit_is_refused_although_the_check_let_it_in(store):
    limiter = FailureLimiter(limit=LIMIT, store=store)
    for _ in range(LIMIT):
        limiter.record_failure(["verify:key:a"], now=CLOCK)

    with pytest.raises(RateLimited) as refused:
        limiter.record_failure(["verify:key:a"], now=CLOCK)

    assert (refused.value.retry_after, store.counts(["verify:key:a"], MINUTE)) == (30, [LIMIT + 1])
