"""The verifier's failure limits: what counts, what a refusal reveals, whose counters a point has,
and what happens when Redis does not answer.

Only a guess's answers (malformed, typo, unknown, wrong item) count as failures. Past a limit the
answer is 429 before the code is looked up. A drop-off point's counter belongs to one carrier.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.core.errors import RateLimited
from returndesk.core.models import RateCounter
from returndesk.core.ratelimit import (
    DatabaseCounterStore,
    FailureLimiter,
    RedisCounterStore,
    RedisWithDatabaseFallback,
    counter_store,
)
from returndesk.marketplace.models import Order, OrderLine, Seller
from returndesk.returns import selectors, services
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.verification import Result
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.journeys import return_to
from returndesk.testing import Keys, frozen_clock

# Raw SQL, query plans and the two counter stores: these also run on PostgreSQL.
pytestmark = pytest.mark.database

LIMIT = 3
CLOCK = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
MINUTE = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
UNKNOWN_CODE = "RD0000000001M"
TYPO_CODE = "K7Q2XM4D9T300"
# Nothing listens here: a Redis that is down.
CLOSED_REDIS = "redis://127.0.0.1:1"
LOOKUP_TABLES = [model._meta.db_table for model in (Return, Order, Seller, ReturnLine, OrderLine)]
RATE_LIMITED_30S = {
    "type": "urn:returndesk:problem:rate_limited",
    "title": "Too many failed look-ups",
    "status": 429,
    "detail": "Too many unsuccessful look-ups; try again in 30 seconds.",
    "code": "rate_limited",
    "retry_after": 30,
}


@pytest.fixture
def limit_of_three(settings) -> Iterator[None]:
    """The setting says LIMIT failures a minute; the clock reads CLOCK."""
    settings.RETURNDESK = {**settings.RETURNDESK, "VERIFY_FAILURES_PER_MINUTE": LIMIT}
    with frozen_clock(CLOCK):
        yield


@pytest.fixture
def database_counters(limit_of_three, monkeypatch) -> DatabaseCounterStore:
    store = DatabaseCounterStore()
    monkeypatch.setattr(services.verify_failures, "store", store)
    return store


@pytest.fixture
def redis_counters(limit_of_three, monkeypatch, redis_url, db) -> RedisCounterStore:
    store = RedisCounterStore(redis_url)
    monkeypatch.setattr(services.verify_failures, "store", store)
    return store


@pytest.fixture
def unprepared(settings) -> None:
    """Prepared reads bypass Django's cursor on PostgreSQL; without them every query is captured."""
    settings.RETURNDESK = {**settings.RETURNDESK, "PREPARED_STATEMENTS": False}


def get(keys: Keys, key: str, code: str, **query: str) -> Any:
    return keys.client(key).get(f"/api/v1/codes/{code}", query)


def results(responses: list[Any]) -> list[tuple[int, str]]:
    return [(response.status_code, response.json().get("result") or response.json()["code"]) for response in responses]


def check(keys: Keys, code: str, **query: str) -> Result:
    return services.code_check(actor=keys.actors["carrier"], raw_code=code, **query).verdict.result


def fail_to_the_limit(actor_keys: Keys, key: str, **query: str) -> None:
    for _ in range(LIMIT):
        services.code_check(actor=actor_keys.actors[key], raw_code=UNKNOWN_CODE, **query)


def touches_a_return(queries: CaptureQueriesContext) -> bool:
    return any(table in query["sql"] for query in queries.captured_queries for table in LOOKUP_TABLES)


# --- What counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (Status.EXPIRED, Result.EXPIRED),
        (Status.CANCELLED, Result.CANCELLED),
        (Status.RECEIVED, Result.USED),
        (Status.REQUESTED, Result.NOT_ACCEPTABLE),
    ],
    ids=["expired", "cancelled", "used", "not_acceptable"],
)
def test_a_real_codes_truthful_answer_is_no_failure(database_counters, make_return, keys, status, result):
    ret = return_to(make_return(), status)

    answers = [check(keys, ret.code) for _ in range(LIMIT + 2)]

    assert answers == [result] * (LIMIT + 2)
    assert RateCounter.objects.count() == 0


def test_api_a_received_code_asked_past_the_limit_still_answers_used(database_counters, make_return, keys):
    ret = return_to(make_return(), Status.RECEIVED)

    answers = [get(keys, "carrier", ret.code) for _ in range(LIMIT + 2)]

    assert results(answers) == [(200, "used")] * (LIMIT + 2)


def test_the_limit_is_read_from_the_settings_when_used(db, keys, settings):
    settings.RETURNDESK = {**settings.RETURNDESK, "VERIFY_FAILURES_PER_MINUTE": 1}
    services.code_check(actor=keys.actors["carrier"], raw_code=UNKNOWN_CODE, now=CLOCK)

    with pytest.raises(RateLimited):
        services.code_check(actor=keys.actors["carrier"], raw_code=UNKNOWN_CODE, now=CLOCK)


# --- Past the limit, nothing is looked up -----------------------------------------------------


@pytest.fixture
def at_the_limit(database_counters, make_return, keys) -> tuple[str, str]:
    """The carrier key has used up its failures; a real code and a made-up one to ask about."""
    real = return_to(make_return(), Status.APPROVED).code
    fail_to_the_limit(keys, "carrier")
    return real, UNKNOWN_CODE


def _limit_check(keys: Keys) -> Any:
    return services.verify_failures.check_sql([f"verify:key:{keys.actors['carrier'].id}"], now=CLOCK)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual machine steps")
def test_sqlite_past_the_limit_does_the_same_work_for_a_real_code_and_a_made_up_one(at_the_limit, keys):
    def steps(code: str) -> int:
        """Instructions SQLite runs for the verifier's statement about ``code``."""
        sql, params = selectors.code_facts_sql(code, keys.actors["carrier"], _limit_check(keys))
        counted = [0]

        def count() -> int:
            counted[0] += 1
            return 0

        connection.ensure_connection()
        connection.connection.set_progress_handler(count, 1)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
        finally:
            connection.connection.set_progress_handler(None, 1)
        return counted[0]

    real, made_up = at_the_limit
    at_limit = (steps(real), steps(made_up))
    RateCounter.objects.all().delete()

    # Below the limit the statement reads the return, so a real code costs more: the measure sees a lookup.
    assert steps(real) > steps(made_up)
    assert at_limit[0] == at_limit[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_postgresql_past_the_limit_reads_no_page_of_a_return(at_the_limit, keys):
    def pages_read(code: str) -> int:
        """Buffers the verifier's statement about ``code`` touches in the lookup's tables."""
        sql, params = selectors.code_facts_sql(code, keys.actors["carrier"], _limit_check(keys))
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]

        def walk(node: dict[str, Any]) -> int:
            own = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
            return (own if node.get("Relation Name") in LOOKUP_TABLES else 0) + sum(
                walk(child) for child in node.get("Plans", [])
            )

        return walk(plan[0]["Plan"])

    real, made_up = at_the_limit
    at_limit = (pages_read(real), pages_read(made_up))
    RateCounter.objects.all().delete()

    assert pages_read(real) > 0
    assert at_limit == (0, 0)


def test_api_past_the_limit_a_real_code_and_a_made_up_one_get_the_same_429(at_the_limit, keys):
    real, made_up = at_the_limit

    answers = [get(keys, "carrier", real), get(keys, "carrier", made_up)]

    assert [(answer.status_code, answer.json()) for answer in answers] == [(429, RATE_LIMITED_30S)] * 2


def test_a_valid_lookup_with_database_counters_is_one_round_trip(database_counters, unprepared, make_return, keys):
    ret = return_to(make_return(), Status.APPROVED)

    with CaptureQueriesContext(connection) as queries:
        answer = check(keys, ret.code)

    assert (answer, len(queries.captured_queries)) == (Result.VALID, 1)


def test_with_redis_counters_past_the_limit_no_return_is_read(redis_counters, unprepared, make_return, keys):
    real = return_to(make_return(), Status.APPROVED).code
    fail_to_the_limit(keys, "carrier")

    with CaptureQueriesContext(connection) as queries, pytest.raises(RateLimited):
        check(keys, real)

    assert touches_a_return(queries) is False


@pytest.mark.parametrize("counters", ["database_counters", "redis_counters"])
def test_a_typo_past_the_limit_is_refused_before_its_neighbours_are_looked_up(
    request, counters, unprepared, make_return, keys
):
    request.getfixturevalue(counters)
    fail_to_the_limit(keys, "carrier")

    with CaptureQueriesContext(connection) as queries, pytest.raises(RateLimited):
        check(keys, TYPO_CODE)

    assert touches_a_return(queries) is False


# --- Points belong to carriers ------------------------------------------------------------------


@pytest.fixture
def carriers(db) -> Keys:
    """Two keys of carrier post-a, one of post-b, and one carrier of its own (no --carrier)."""
    made = Keys()
    made.make("a1", role="carrier", carrier="post-a")
    made.make("a2", role="carrier", carrier="post-a")
    made.make("b1", role="carrier", carrier="post-b")
    made.make("own", role="carrier")
    return made


def test_api_one_carriers_failures_at_a_point_do_not_lock_it_for_another(
    database_counters, carriers, make_return, keys
):
    ret = return_to(make_return(), Status.APPROVED)
    failures = [get(carriers, "a1", UNKNOWN_CODE, point_id="PT-1") for _ in range(LIMIT)]

    answers = [
        get(carriers, "b1", ret.code, point_id="PT-1"),
        get(carriers, "own", ret.code, point_id="PT-1"),
        get(carriers, "a2", ret.code, point_id="PT-1"),
    ]

    assert results(failures) == [(200, "unknown")] * LIMIT
    assert results(answers) == [(200, "valid"), (200, "valid"), (429, "rate_limited")]


@pytest.mark.parametrize("counters", ["database_counters", "redis_counters"])
def test_a_point_is_counted_per_carrier_and_a_key_per_key(request, counters, carriers):
    store = request.getfixturevalue(counters)
    services.code_check(actor=carriers.actors["a1"], raw_code=UNKNOWN_CODE, point_id="PT-1")
    services.code_check(actor=carriers.actors["a2"], raw_code=UNKNOWN_CODE, point_id="PT-1")
    services.code_check(actor=carriers.actors["b1"], raw_code=UNKNOWN_CODE, point_id="PT-1")
    own = carriers.actors["own"]
    services.code_check(actor=own, raw_code=UNKNOWN_CODE, point_id="PT-1")

    buckets = [
        "verify:point:post-a:PT-1",
        "verify:point:post-b:PT-1",
        f"verify:point:{own.id}:PT-1",
        f"verify:key:{carriers.actors['a1'].id}",
        f"verify:key:{carriers.actors['a2'].id}",
    ]
    assert store.counts(buckets, MINUTE) == [2, 1, 1, 1, 1]


# --- Carriers on action routes ------------------------------------------------------------------

ACTIONS = {
    "approve": "{}",
    "reject": '{"reason": "Outside the policy"}',
    "cancel": "{}",
    "receive": '{"note": "Box dented"}',
    "inspect": '{"lines": [{"line": "L1", "outcome": "accepted", "condition": "as_new"}]}',
    "close": "{}",
}


def _state() -> list[Any]:
    return [list(Return.objects.order_by("id").values()), list(ReturnEvent.objects.values_list("id", flat=True))]


@pytest.mark.parametrize("action", ACTIONS)
def test_api_a_carrier_key_on_an_action_route_is_refused_before_the_code_is_looked_up(
    unprepared, make_return, keys, action
):
    real = return_to(make_return(), Status.APPROVED).code
    before = _state()

    with CaptureQueriesContext(connection) as queries:
        answers = [
            keys.client("carrier").post(f"/api/v1/returns/{code}/{action}", ACTIONS[action], "application/json")
            for code in (real, UNKNOWN_CODE)
        ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (
            403,
            {
                "type": "urn:returndesk:problem:forbidden_action",
                "title": "This key may not take this action",
                "status": 403,
                "detail": f"A carrier may not {action} a return.",
                "code": "forbidden_action",
            },
        )
    ] * 2
    assert touches_a_return(queries) is False
    assert _state() == before


def test_a_carrier_may_still_hand_a_parcel_over(make_return):
    ret = return_to(make_return(), Status.IN_TRANSIT)

    assert (ret.status, ret.parcel_recorded) == (Status.IN_TRANSIT, True)


# --- Redis down ---------------------------------------------------------------------------------


def ratelimit_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "returndesk.core.ratelimit"]


@pytest.fixture
def redis_down(limit_of_three, settings, db) -> None:
    """REDIS_URL names a port nothing listens on; the verifier builds its store from the settings."""
    settings.REDIS_URL = CLOSED_REDIS


def test_api_with_redis_down_the_verifier_answers_and_limits_from_the_database(redis_down, make_return, keys, caplog):
    ret = return_to(make_return(), Status.APPROVED)

    with caplog.at_level(logging.WARNING, logger="returndesk.core.ratelimit"):
        answers = [get(keys, "carrier", ret.code)] + [get(keys, "carrier", UNKNOWN_CODE) for _ in range(LIMIT + 1)]

    assert isinstance(counter_store(), RedisWithDatabaseFallback)
    assert results(answers) == [(200, "valid")] + [(200, "unknown")] * LIMIT + [(429, "rate_limited")]
    assert list(RateCounter.objects.values_list("bucket", "count")) == [
        (f"verify:key:{keys.actors['carrier'].id}", LIMIT)
    ]
    # One warning for the whole outage, saying what went wrong, not one a request.
    assert ratelimit_messages(caplog) == [
        "Redis does not answer (Error 111 connecting to 127.0.0.1:1. Connection refused.); "
        "counting failed look-ups in the database."
    ]


def test_the_fallback_goes_back_to_redis_when_it_answers(redis_url, db, caplog):
    store = RedisWithDatabaseFallback(RedisCounterStore(CLOSED_REDIS), DatabaseCounterStore(), retry_seconds=0)
    limiter = FailureLimiter(limit=LIMIT, store=store)

    with caplog.at_level(logging.WARNING, logger="returndesk.core.ratelimit"):
        limiter.record_failure(["verify:key:a"], now=CLOCK)
        limiter.record_failure(["verify:key:a"], now=CLOCK)
        # Redis is back at its address.
        store.redis.client = redis.Redis.from_url(redis_url, socket_timeout=2)
        limiter.record_failure(["verify:key:a"], now=CLOCK)

    assert (store.database.counts(["verify:key:a"], MINUTE), store.redis.counts(["verify:key:a"], MINUTE)) == (
        [2],
        [1],
    )
    assert [message.split(" (")[0] for message in ratelimit_messages(caplog)] == [
        "Redis does not answer",
        "Redis answers again; counting failed look-ups in Redis.",
    ]


def test_while_redis_is_skipped_the_check_rides_in_the_lookup(redis_down, make_return, keys):
    ret = return_to(make_return(), Status.APPROVED)
    services.code_check(actor=keys.actors["carrier"], raw_code=UNKNOWN_CODE)

    check_sql = services.verify_failures.check_sql(["verify:key:x"], now=CLOCK)

    assert (check_sql is not None, check(keys, ret.code)) == (True, Result.VALID)
