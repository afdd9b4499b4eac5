"""Reading returns, always through the caller's scope.

No function here looks a return up by a client-supplied value without the caller's scope: a
return the caller may not see is indistinguishable from a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from returndesk.core.access import actor_scope, scope_to_actor
from returndesk.core.actors import Actor
from returndesk.core.pagination import cursor_decode, cursor_encode
from returndesk.core.ratelimit import LimitCheck
from returndesk.core.sql import fetch_all, quoted_table
from returndesk.marketplace.models import Order, OrderLine, Seller
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.verification import FAILURES, Result, Verdict, verdict_by_status, verdict_for
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.extensions import return_extension_prefetches
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent, ReturnLine


def visible_returns(actor: Actor) -> QuerySet[Return]:
    """Every return ``actor`` may know of. Carriers may know every code (the verifier)."""
    return scope_to_actor(Return.objects.all(), actor)


def lines_prefetch() -> Prefetch[Any]:
    """A return's lines with their order lines, in one query."""
    return Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").order_by("id"))


def anomalies_prefetch() -> Prefetch[Any]:
    """A return's anomalies with the order line each names, in one query."""
    return Prefetch("anomalies", queryset=ReturnAnomaly.objects.select_related("line__order_line").order_by("at", "id"))


def _answer_prefetches(*, timeline: bool) -> list[Prefetch[Any] | str]:
    """One query each for the lines, the anomalies, what registered extensions read (and the
    timeline): the same count whatever the page size."""
    prefetches: list[Prefetch[Any] | str] = [
        lines_prefetch(),
        anomalies_prefetch(),
        *return_extension_prefetches(),
    ]
    if timeline:
        prefetches.append(Prefetch("events", queryset=ReturnEvent.objects.order_by("at", "id")))
    return prefetches


def _answerable(returns: QuerySet[Return], *, timeline: bool = False) -> QuerySet[Return]:
    """Everything the API's answer about a return reads: the order, seller and buyer joined,
    the rest prefetched."""
    return returns.select_related("order", "seller", "buyer").prefetch_related(*_answer_prefetches(timeline=timeline))


def return_answer_load(ret: Return) -> Return:
    """Complete a return a service just wrote (order, seller and buyer joined by its lock) with
    what its detailed answer reads; relations the service already knows cost no query."""
    prefetch_related_objects([ret], *_answer_prefetches(timeline=True))
    return ret


def return_get_for_actor(*, code: str, actor: Actor, with_timeline: bool = False) -> Return:
    """One return by code, with what its answer reads (and its timeline), or ``not_found``."""
    found = _answerable(visible_returns(actor), timeline=with_timeline).filter(code=codes.normalise(code)).first()
    if found is None:
        raise ReturnNotFound()
    return found


@dataclass(frozen=True)
class ReturnFilters:
    status: Status | None = None
    seller: str | None = None
    buyer: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def returns_list(
    *, actor: Actor, filters: ReturnFilters, limit: int, cursor: str | None = None
) -> tuple[list[Return], str | None]:
    """A page of returns, newest first, and the cursor of the next page (None on the last)."""
    returns = visible_returns(actor)
    if filters.status:
        returns = returns.filter(status=filters.status)
    if filters.seller:
        returns = returns.filter(seller__external_id=filters.seller)
    if filters.buyer:
        returns = returns.filter(buyer__external_id=filters.buyer)
    if filters.created_after:
        returns = returns.filter(created_at__gt=filters.created_after)
    if filters.created_before:
        returns = returns.filter(created_at__lt=filters.created_before)
    if cursor:
        created_at, pk = cursor_decode(cursor, filters=filters)
        returns = returns.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    page = list(_answerable(returns).order_by("-created_at", "-id")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].created_at, page[limit - 1].pk, filters=filters)
    return page, None


@dataclass(frozen=True)
class CodeFacts:
    """What the verifier may tell about the return behind a code, read in one query."""

    code: str
    status: Status
    parcel_recorded: bool
    ship_by: datetime | None
    order: str
    seller_name: str
    seller_city: str
    skus: frozenset[str]
    items: int
    # Expected parcel weight, when every line's weight is known.
    weight_g: int | None

    @property
    def code_display(self) -> str:
        return codes.display(self.code)


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    facts: CodeFacts | None = None
    suggestions: list[str] = field(default_factory=list)
    # The failure count a ``LimitCheck`` read beside the lookup; None when none was carried.
    failure_count: int | None = None

    @property
    def failed(self) -> bool:
        """Whether this answer counts against the failure limit (see domain.verification)."""
        return self.verdict.result in FAILURES


def code_facts_sql(code: str, actor: Actor, check: LimitCheck | None) -> tuple[str, list[Any]]:
    """The one statement of ``_code_facts``: its rows carry the check's count (or null), then the
    lines of the return behind ``code``, or one row of nulls.

    The caller's scope is the same ``actor_scope`` condition every ORM lookup uses. The outer
    join keeps one row when no return matches. With a check, the count is read once, first, and
    at the limit the code compared with is null: both databases then read no return at all (a
    null key matches nothing, so neither touches the index), whatever the code.
    """
    scope = actor_scope(actor)
    scope_sql, scope_params = (f" AND r.{connection.ops.quote_name(scope[0])} = %s", [scope[1]]) if scope else ("", [])
    head_params: list[Any]
    code_params: list[Any]
    if check is None:
        head, head_params = "SELECT NULL, f.* FROM (SELECT 1 AS one) anchor", []
        code_sql, code_params = "%s", [code]
    else:
        head = f"WITH failures AS (SELECT {check.count_sql} AS n) SELECT failures.n, f.* FROM failures"  # noqa: S608
        head_params = check.params
        code_sql, code_params = "CASE WHEN (SELECT n FROM failures) < %s THEN %s END", [check.limit, code]
    sql = (
        f"{head} LEFT JOIN ("  # noqa: S608
        "SELECT r.code, r.status, r.parcel_recorded, r.ship_by, o.external_id, s.name, s.return_address,"
        " ol.sku, rl.quantity, ol.weight_g"
        f" FROM {quoted_table(Return)} r JOIN {quoted_table(Order)} o ON o.id = r.order_id"
        f" JOIN {quoted_table(Seller)} s ON s.id = r.seller_id"
        f" JOIN {quoted_table(ReturnLine)} rl ON rl.return_request_id = r.id"
        f" JOIN {quoted_table(OrderLine)} ol ON ol.id = rl.order_line_id"
        f" WHERE r.code = {code_sql}{scope_sql}) f ON 1 = 1"
    )
    return sql, [*head_params, *code_params, *scope_params]


def _code_facts(code: str, actor: Actor, check: LimitCheck | None) -> tuple[int | None, CodeFacts | None]:
    """The return behind ``code`` as the verifier needs it, and the failure count of ``check``,
    in one round trip; past the check's limit, only the count.

    The verifier is the hot path of every drop-off counter, so this is plain (and on PostgreSQL
    prepared) SQL: compiling the equivalent ORM query costs several times the query itself, and
    each round trip costs more than both.
    """
    sql, params = code_facts_sql(code, actor, check)
    rows = fetch_all(sql, params)
    failures = None if rows[0][0] is None else int(rows[0][0])
    lines = [row[1:] for row in rows if row[1] is not None]
    if not lines:
        return failures, None
    code, status, parcel_recorded, ship_by, order, seller_name, address = lines[0][:7]
    weights = [line[9] * line[8] for line in lines if line[9] is not None]
    address = json.loads(address) if isinstance(address, str) else address
    return failures, CodeFacts(
        code=code,
        status=Status(status),
        parcel_recorded=bool(parcel_recorded),
        ship_by=_aware(ship_by),
        order=order,
        seller_name=seller_name,
        seller_city=str((address or {}).get("city", "")),
        skus=frozenset(line[7] for line in lines),
        items=sum(line[8] for line in lines),
        weight_g=sum(weights) if len(weights) == len(lines) else None,
    )


def _aware(value: datetime | str | None) -> datetime | None:
    """A raw cursor gives SQLite's datetimes as text; PostgreSQL's come back aware already."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def code_verify(
    *,
    actor: Actor,
    raw_code: str,
    now: datetime,
    order: str | None = None,
    sku: str | None = None,
    check: LimitCheck | None = None,
) -> Verification:
    """What the item in hand's code says, first match wins (see domain.verification).

    ``check`` is the failure limit's check, carried by the lookup of a well-formed code (one
    round trip for both); the count comes back as ``Verification.failure_count``. At the limit the
    code is not looked up and the verdict is meaningless: the caller refuses the request.
    """
    code = codes.normalise(raw_code)
    shape = codes.shape(code)
    if shape is codes.Shape.MALFORMED:
        return Verification(verdict_for(Result.MALFORMED))
    if shape is codes.Shape.TYPO:
        candidates = codes.typo_candidates(code)
        existing = sorted(visible_returns(actor).filter(code__in=candidates).values_list("code", flat=True))
        return Verification(verdict_for(Result.TYPO), suggestions=existing)
    failures, facts = _code_facts(code, actor, check)
    if facts is None:
        return Verification(verdict_for(Result.UNKNOWN), failure_count=failures)
    if (order and order != facts.order) or (sku and sku not in facts.skus):
        return Verification(verdict_for(Result.WRONG_ITEM), facts, failure_count=failures)
    return Verification(
        verdict_by_status(facts.status, parcel_recorded=facts.parcel_recorded, ship_by=facts.ship_by, now=now),
        facts,
        failure_count=failures,
    )
