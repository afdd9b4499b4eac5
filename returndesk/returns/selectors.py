"""Reading returns, always through the caller's scope.

No function here looks a return up by a client-supplied value without the caller's scope: a
return the caller may not see is indistinguishable from a missing one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from returndesk.core import clock
from returndesk.core.access import access_reads, access_require, actor_scope, scope_to_actor
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import Forbidden
from returndesk.core.orm import Folded, rows_known
from returndesk.core.pagination import cursor_decode, cursor_encode
from returndesk.core.ratelimit import LimitCheck
from returndesk.core.sql import Rows, fetch_all, fetch_rows, quoted_table, row_to_instances, select_columns
from returndesk.marketplace.errors import OrderNotFound
from returndesk.marketplace.models import Buyer, Order, OrderLine, Seller
from returndesk.policies.domain import calendar, eligibility
from returndesk.policies.domain.eligibility import LineEligibility, line_eligibility
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.policies.selectors import policies_in_force, policy_in_force, policy_version_get
from returndesk.returns.domain import anomalies, codes, lifecycle, tracking
from returndesk.returns.domain.lifecycle import Action, Facts, LineOutcome, Policy, Status
from returndesk.returns.domain.verification import FAILURES, Result, Verdict, verdict_by_status, verdict_for
from returndesk.returns.errors import BuyerOrderNotFound, ReturnNotFound
from returndesk.returns.extensions import (
    AnswerRead,
    own_rows_seed,
    return_answer_reads,
    return_extension_prefetches,
    return_extensions_known_empty,
    return_list_filtered,
)
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
        *return_extension_prefetches(detail=timeline),
    ]
    if timeline:
        prefetches.append(Prefetch("events", queryset=ReturnEvent.objects.order_by("at", "id")))
    return prefetches


def _answerable(returns: QuerySet[Return], *, timeline: bool = False) -> QuerySet[Return]:
    """Everything the API's answer about a return reads: the order, seller and buyer joined,
    the rest prefetched."""
    return returns.select_related("order", "seller", "buyer").prefetch_related(*_answer_prefetches(timeline=timeline))


# What the detailed answer about one return reads of the core's relations, in plain SQL: the
# same rows, in the same order, as ``lines_prefetch``, ``anomalies_prefetch`` and the timeline's.
_LINES = Rows(
    models=((ReturnLine, "rl"), (OrderLine, "ol")),
    source="FROM {} rl JOIN {} ol ON ol.id = rl.order_line_id WHERE rl.return_request_id = %s",
    tables=(ReturnLine, OrderLine),
    order=("rl.id",),
)
_ANOMALIES = Rows(
    models=((ReturnAnomaly, "a"),),
    source="FROM {} a WHERE a.return_request_id = %s",
    tables=(ReturnAnomaly,),
    order=("a.at", "a.id"),
)
_EVENTS = Rows(
    models=((ReturnEvent, "e"),),
    source="FROM {} e WHERE e.return_request_id = %s",
    tables=(ReturnEvent,),
    order=("e.at", "e.id"),
)


def _lines_seed(ret: Return, found: list[list[tuple[Any, ...]]]) -> None:
    (rows,) = found
    for line, order_line in rows:
        line.return_request, line.order_line = ret, order_line
    rows_known(ret, lines=[line for line, _order_line in rows])


def _anomalies_seed(ret: Return, found: list[list[tuple[Any, ...]]]) -> None:
    # Each names one of the return's own lines (known, or seeded just before), with its order line.
    (rows,) = found
    lines = {line.pk: line for line in ret.lines.all()}
    for (anomaly,) in rows:
        anomaly.return_request = ret
        anomaly.line = None if anomaly.line_id is None else lines[anomaly.line_id]
    rows_known(ret, anomalies=[anomaly for (anomaly,) in rows])


# Lines first: the anomalies, and extensions' rows (a refund's lines), name them.
_CORE_READS = (
    ("lines", AnswerRead(queries=(_LINES,), seed=_lines_seed)),
    ("anomalies", AnswerRead(queries=(_ANOMALIES,), seed=_anomalies_seed)),
    ("events", AnswerRead(queries=(_EVENTS,), seed=own_rows_seed("events"))),
)


def return_answer_load(ret: Return) -> Return:
    """Complete a return a service just wrote (order, seller and buyer joined by its lock) with
    what its detailed answer reads, exactly as ``return_get_for_actor`` with its timeline would.

    Relations the service already knows, or that an extension knows to be empty for it, cost
    nothing; the rest (the core's lines, anomalies and timeline, and the members' rows of every
    extension with an ``AnswerRead``) are read in one statement (``core.sql.fetch_rows``), in
    plain SQL: an action's answer costs one statement, not one per relation. Extensions without
    an ``AnswerRead`` prefetch as usual, a query per lookup.
    """
    return_extensions_known_empty(ret)
    known = getattr(ret, "_prefetched_objects_cache", {})
    reads = [read for name, read in _CORE_READS if name not in known]
    extension_reads, lookups = return_answer_reads(ret)
    reads += extension_reads
    queries = [(rows, read.params(ret)) for read in reads for rows in read.queries]
    found = iter(fetch_rows(queries))
    for read in reads:
        read.seed(ret, [next(found) for _rows in read.queries])
    if lookups:
        prefetch_related_objects([ret], *lookups)
    return ret


def return_get_for_actor(*, code: str, actor: Actor, with_timeline: bool = False) -> Return:
    """One return by code, however typed, with what its answer reads, or 404 ``not_found``.

    A page gets the return with its order, seller and buyer joined, its lines (each with its
    order line), anomalies and, ``with_timeline``, its events oldest first, all prefetched: two
    queries, three with the timeline (plus one per registered extension), whatever their number.
    Sellers' keys and staff (warehouse too) see their seller's returns, a buyer its own, the
    platform and agents all; carriers, which learn of codes only through the verifier, 403
    ``forbidden``.
    """
    access_reads(actor)
    found = _answerable(visible_returns(actor), timeline=with_timeline).filter(code=codes.normalise(code)).first()
    if found is None:
        raise ReturnNotFound()
    return found


def return_policy(ret: Return) -> Policy:
    """The clocks and window of the policy version ``ret`` opened under: a query only the first
    time this process reads that version (``policies.selectors.policy_version_get``)."""
    versioned = policy_version_get(version=ret.policy_id)
    return lifecycle.lifecycle_policy(versioned.version, versioned.policy)


def return_facts(ret: Return, *, known_anomalies: frozenset[str] = frozenset()) -> Facts:
    """What the lifecycle judges ``ret`` by; reads its prefetched lines."""
    return Facts(
        status=Status(ret.status),
        status_since=ret.status_since,
        ship_by=ret.ship_by,
        offer_open=ret.offer_open,
        offer_made_at=ret.offer_made_at,
        offer_paused=ret.offer_paused,
        money_due_at=ret.money_due_at,
        attention_at=ret.attention_at,
        settled=ret.settled,
        line_outcomes=tuple(LineOutcome(line.outcome) for line in ret.lines.all()),
        anomalies=known_anomalies,
        policy=return_policy(ret),
        delivered_to_seller_at=ret.delivered_to_seller_at,
    )


def status_before(ret: Return) -> Status | None:
    """The status ``ret`` left when it entered its current one (at ``status_since``), from that
    transition's event: what its code was judged by before then. None before any transition."""
    before = (
        ReturnEvent.objects.filter(return_request=ret, at=ret.status_since, to_status=ret.status)
        .exclude(from_status=ret.status)
        .order_by("-id")
        .values_list("from_status", flat=True)
        .first()
    )
    return Status(before) if before else None


def return_known_anomalies(ret: Return) -> frozenset[str]:
    """The prefetched anomaly codes the lifecycle may judge by: a stored code that no app
    registers any more stays on the return, shown as stored, and decides nothing."""
    return frozenset(anomaly.code for anomaly in ret.anomalies.all() if anomalies.is_known(anomaly.code))


def return_actions(*, ret: Return, actor: Actor, now: datetime) -> list[Action]:
    """The actions ``actor`` may take on ``ret`` at ``now``, in ``Action`` order: what a return
    page offers as buttons, never a status list of its own.

    ``lifecycle.actions_for`` for the actor's role (and supervisor flag), narrowed by the gate
    the transition itself applies to warehouse staff (``lifecycle.staff_may``: receive and
    inspect only). ``ret`` comes from ``return_get_for_actor`` (lines and anomalies prefetched):
    no query. Lists every action the lifecycle allows, including those whose service arrives with
    a later issue; a page shows buttons for the ones it has a form for.
    """
    facts = return_facts(ret, known_anomalies=return_known_anomalies(ret))
    allowed = lifecycle.actions_for(facts, actor.role, now, supervisor=actor.supervisor)
    return [action for action in allowed if lifecycle.staff_may(actor, action)]


@dataclass(frozen=True)
class ReturnFilters:
    """What ``returns_list`` narrows by, every one given ANDed; each served by an index.

    ``order`` is the order's external id, ``order_number`` its number as the buyer knows it,
    ``email`` the buyer's address in any case (platform and agents only: ``returns_list``
    answers anyone else 403 ``forbidden``). ``buyer_name`` is part of the buyer's name in any
    case (a scan of the caller's returns, narrowed by the other filters: no index serves a
    substring), ``anomaly`` a code the return has an anomaly of, ``tracking_number`` the
    parcel's number typed however (``tracking.normalise``), and ``q`` whatever identifies a
    return: its code, its tracking number or its order's number.
    """

    status: Status | None = None
    seller: str | None = None
    buyer: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    order: str | None = None
    order_number: str | None = None
    email: str | None = None
    buyer_name: str | None = None
    anomaly: str | None = None
    tracking_number: str | None = None
    q: str | None = None
    # The refund ledger's queue (``extensions.ReturnListFilter`` "refund_status").
    refund_status: str | None = None


# Who may find returns by a buyer's email address: the people who answer buyers, not sellers.
EMAIL_SEARCHERS = (ActorKind.PLATFORM, ActorKind.AGENT)


def returns_matching(*, actor: Actor, filters: ReturnFilters) -> QuerySet[Return]:
    """Every return ``actor`` may see that ``filters`` match, unordered: ``returns_list``'s rows.
    Carriers 403 ``forbidden``; ``filters.email`` from anyone but the platform and agents 403
    ``forbidden``."""
    access_reads(actor)
    if filters.email is not None and actor.kind not in EMAIL_SEARCHERS:
        raise Forbidden("Only the platform and customer service may find returns by the buyer's email.")
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
    if filters.order is not None:
        returns = returns.filter(order__external_id=filters.order)
    if filters.order_number is not None:
        returns = returns.filter(order__number=filters.order_number)
    if filters.email is not None:
        # Compared lower-cased on both sides, in SQL: the buyer index on lower(email) serves it.
        returns = returns.alias(buyer_email=Lower("buyer__email")).filter(buyer_email=Lower(Value(filters.email)))
    if filters.buyer_name is not None:
        returns = returns.alias(buyer_name_folded=Folded("buyer__name")).filter(
            buyer_name_folded__contains=Folded(Value(filters.buyer_name))
        )
    if filters.tracking_number is not None:
        returns = returns.filter(tracking_number=tracking.normalise(filters.tracking_number))
    if filters.q is not None:
        returns = returns.filter(_identified_by(filters.q))
    if filters.anomaly is not None:
        # EXISTS, not a join: a return with two such anomalies is still one row.
        returns = returns.filter(
            Exists(ReturnAnomaly.objects.filter(return_request=OuterRef("pk"), code=filters.anomaly))
        )
    if filters.refund_status is not None:
        returns = return_list_filtered(returns, "refund_status", filters.refund_status, clock.now())
    return returns


def _identified_by(text: str) -> Q:
    """A return whose code, tracking number or order number ``text`` is, each typed as people type
    it. The order is a subquery, so that every branch is a column of the return's own with an
    index (the code's, the tracking number's, the order's key): one index scan each, OR-ed."""
    text = text.strip()
    return (
        Q(code=codes.normalise(text))
        | Q(tracking_number=tracking.normalise(text))
        | Q(order__in=Order.objects.filter(number=text).values("pk"))
    )


def returns_list(
    *, actor: Actor, filters: ReturnFilters, limit: int, cursor: str | None = None
) -> tuple[list[Return], str | None]:
    """A page of returns, newest first, and the cursor of the next page (None on the last).

    A page gets the returns as ``return_get_for_actor`` does (without timelines): three queries
    whatever the page size (plus one per registered extension). Scoped like
    ``visible_returns``; carriers 403 ``forbidden``; ``filters.email`` from anyone but the
    platform and agents 403 ``forbidden``.
    """
    returns = returns_matching(actor=actor, filters=filters)
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
        return Verification(verdict_for(Result.TYPO), suggestions=_typo_suggestions(code, actor))
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


# The statuses whose code the buyer still needs: the parcel is not handed over yet.
CODE_NEEDED_STATUSES = (Status.REQUESTED, Status.APPROVED)


def returns_for_code_reminder(*, order: str, email: str) -> list[Return]:
    """The requested and approved returns of the orders ``order`` names (external id or number)
    whose buyer's address is ``email`` in any case, their order and buyer joined, by order then
    oldest first: what a code reminder mails. One query, whether or not anything matches.

    In no caller's scope, because the rows are never shown to the caller: whoever knows an
    address and one of its orders may have the codes mailed to that address, nowhere else.
    """
    return list(
        Return.objects.filter(status__in=CODE_NEEDED_STATUSES)
        .filter(Q(order__external_id=order) | Q(order__number=order))
        .alias(buyer_email=Lower("buyer__email"))
        .filter(buyer_email=Lower(Value(email.strip())))
        .select_related("order", "seller", "buyer")
        .order_by("order_id", "created_at", "id")
    )


def returns_count_by_status(actor: Actor) -> dict[Status, int]:
    """How many returns ``actor`` may see in each status, every status present (0 when none):
    a queue page's counts. One query, scoped like ``visible_returns``; carriers 403 ``forbidden``.
    """
    access_reads(actor)
    counts = dict.fromkeys(Status, 0)
    rows = visible_returns(actor).order_by().values_list("status").annotate(count=Count("id"))
    for status, count in rows:
        counts[Status(status)] = count
    return counts


def _typo_suggestions(code: str, actor: Actor) -> list[str]:
    """The codes one slip away from a mistyped ``code`` that ``actor`` may know of, sorted."""
    candidates = codes.typo_candidates(code)
    return sorted(visible_returns(actor).filter(code__in=candidates).values_list("code", flat=True))


@dataclass(frozen=True)
class CodeLookup:
    """What a search box found for text typed as a return code.

    ``code`` is the canonical code of the caller's return it names (open it); else
    ``suggestions`` are the caller's codes one slip away from a typo (offer them, displayed with
    ``codes.display``); neither: not found. ``looks_like_a_code`` says whether the text had a
    code's length once normalised (a search box may then try it as something else).
    """

    text: str
    looks_like_a_code: bool
    code: str | None = None
    suggestions: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.code is not None


def return_code_lookup(*, text: str, actor: Actor) -> CodeLookup:
    """Find the return a seller's or agent's search box names by code, normalised like the
    verifier (``k7q2 xm4d-9t3o-6`` finds ``K7Q2XM4D9T306``).

    Within the caller's scope only, and never counted as a verifier failure: this is a reader
    finding its own returns, not a counter guessing codes. A typo answers the caller's codes one
    slip away (the verifier's typo path). One query. Carriers 403 ``forbidden``.
    """
    access_reads(actor)
    code = codes.normalise(text)
    shape = codes.shape(code)
    looks_like_a_code = len(code) == codes.CODE_LENGTH
    if shape is codes.Shape.TYPO:
        return CodeLookup(text=code, looks_like_a_code=looks_like_a_code, suggestions=_typo_suggestions(code, actor))
    if shape is codes.Shape.VALID and visible_returns(actor).filter(code=code).exists():
        return CodeLookup(text=code, looks_like_a_code=True, code=code)
    return CodeLookup(text=code, looks_like_a_code=looks_like_a_code)


class SearchBy(StrEnum):
    """What customer service's one search box took the typed text for."""

    EMAIL = "email"
    CODE = "code"
    ORDER_NUMBER = "order_number"
    ORDER = "order"
    TRACKING_NUMBER = "tracking_number"


@dataclass(frozen=True)
class ReturnSearch:
    """What customer service's search box found: a return by its code (``code``: open it), the
    codes one slip away from a mistyped one (``suggestions``), or a page of ``returns`` (newest
    first, ``next_cursor`` for the next page) matched ``by`` the buyer's email, the order number
    or the order's external id."""

    text: str
    by: SearchBy
    code: str | None = None
    suggestions: list[str] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    next_cursor: str | None = None


def _search_filters(*, actor: Actor, text: str) -> tuple[SearchBy, ReturnFilters]:
    """An order number if any visible return's order has it, else a tracking number if a visible
    return has it, else an order's external id: one query to choose."""
    order_number = Q(order__number=text)
    chosen = list(
        returns_matching(actor=actor, filters=ReturnFilters())
        .filter(order_number | Q(tracking_number=tracking.normalise(text)))
        .annotate(by_order_number=ExpressionWrapper(order_number, output_field=BooleanField()))
        .order_by("-by_order_number")
        .values_list("by_order_number", flat=True)[:1]
    )
    if chosen == [True]:
        return SearchBy.ORDER_NUMBER, ReturnFilters(order_number=text)
    if chosen == [False]:
        return SearchBy.TRACKING_NUMBER, ReturnFilters(tracking_number=text)
    return SearchBy.ORDER, ReturnFilters(order=text)


def returns_search(*, actor: Actor, text: str, limit: int, cursor: str | None = None) -> ReturnSearch:
    """Find returns by what an agent types in one box, read as:

    - with ``@``, the buyer's email, in any case (``ReturnFilters.email``);
    - 13 symbols once normalised, a return code (``return_code_lookup``: a typo answers the codes
      one slip away); a code that finds nothing is then tried as below, in case an order number
      or a tracking number (an S10 one has 13 symbols too) has a code's length;
    - else an order number; when no return's order has that number, a tracking number, typed
      however (``tracking.normalise``); when no return has that either, an order's external id.

    Rows come from ``returns_list`` (a cursor continues the same reading: the filters chosen are
    the cursor's). Platform and agents only (the email filter's rule): anyone else 403
    ``forbidden``. Queries: one for a code; for an order one to choose the field; then the list's.
    """
    access_reads(actor)
    if actor.kind not in EMAIL_SEARCHERS:
        raise Forbidden("Only the platform and customer service search returns by email, code or order.")
    text = text.strip()
    if "@" in text:
        by, filters = SearchBy.EMAIL, ReturnFilters(email=text)
    else:
        lookup = return_code_lookup(text=text, actor=actor)
        if lookup.looks_like_a_code and (lookup.found or lookup.suggestions):
            return ReturnSearch(text=text, by=SearchBy.CODE, code=lookup.code, suggestions=lookup.suggestions)
        by, filters = _search_filters(actor=actor, text=text)
    page, next_cursor = returns_list(actor=actor, filters=filters, limit=limit, cursor=cursor)
    return ReturnSearch(text=text, by=by, returns=page, next_cursor=next_cursor)


# --- The buyer's orders -----------------------------------------------------------------------

BUYER_ORDERS_PER_PAGE = 20


@dataclass(frozen=True)
class BuyerLine:
    """An order line and whether (how many of its units, until when, or why not) the buyer may
    return it now; ``held_by`` names the codes of the returns holding its units (to link)."""

    line: OrderLine
    eligibility: LineEligibility
    held_by: tuple[str, ...] = ()

    @property
    def why_not(self) -> str:
        """Every refusal's code, space-separated (a page's ``data-why-not``); empty when none."""
        return " ".join(refusal.code for refusal in self.eligibility.refusals)


@dataclass(frozen=True)
class BuyerOrder:
    """An order as its buyer's pages show it: the order (seller joined), each line with its
    eligibility under the seller's policy in force, in the order's line order, and the order's
    returns newest first (each with its lines and their order lines)."""

    order: Order
    lines: list[BuyerLine]
    returns: list[Return]
    # The seller's policy in force, which judged the lines (the form offers what it allows).
    policy: ReturnPolicy


def _buyer_orders(actor: Actor) -> QuerySet[Order]:
    access_require(actor, ActorKind.BUYER)
    assert actor.buyer_id is not None, "a buyer actor names its buyer"
    return (
        Order.objects.filter(buyer_id=actor.buyer_id)
        .select_related("seller", "buyer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch(
                "returns",
                queryset=Return.objects.order_by("-created_at", "-id").prefetch_related(lines_prefetch()),
            ),
        )
    )


def line_facts(line: OrderLine, *, held: int) -> eligibility.LineFacts:
    """What the eligibility rules read of an order line (its ``order`` already attached)."""
    return eligibility.LineFacts(
        line=line.external_id,
        title=line.title,
        sku=line.sku,
        category=line.category,
        quantity=line.quantity,
        held=held,
        final_sale=line.final_sale,
        delivered_at=line.effective_delivered_at,
    )


def buyer_facts(buyer: Buyer) -> eligibility.BuyerFacts:
    return eligibility.BuyerFacts(time_zone=buyer.time_zone, country=buyer.country)


def _buyer_order(order: Order, now: datetime, policy: ReturnPolicy) -> BuyerOrder:
    """Judge each line from the prefetched returns under ``policy`` (``policies.domain.eligibility``,
    as ``return_open`` does): what they hold is ``lifecycle.holds_quantity``, the rule
    ``return_open`` counts in SQL."""
    returns = list(order.returns.all())
    held: dict[int, int] = {}
    held_by: dict[int, list[str]] = {}
    for ret in returns:
        if not lifecycle.holds_quantity(Status(ret.status), Status(ret.closed_from) if ret.closed_from else None):
            continue
        for return_line in ret.lines.all():
            held[return_line.order_line_id] = held.get(return_line.order_line_id, 0) + return_line.quantity
            held_by.setdefault(return_line.order_line_id, []).append(ret.code)
    buyer = buyer_facts(order.buyer)
    lines = []
    for line in order.lines.all():
        line.order = order
        codes_holding = tuple(held_by.get(line.pk, ()))
        facts = line_facts(line, held=held.get(line.pk, 0))
        answer = line_eligibility(facts, buyer=buyer, policy=policy, now=now)
        lines.append(BuyerLine(line=line, eligibility=answer, held_by=codes_holding))
    return BuyerOrder(order=order, lines=lines, returns=returns, policy=policy)


def orders_for_buyer(
    *, actor: Actor, now: datetime, cursor: str | None = None, limit: int = BUYER_ORDERS_PER_PAGE
) -> tuple[list[BuyerOrder], str | None]:
    """The signed-in buyer's orders, newest placed first, ``limit`` (20) a page, and the cursor of
    the next page (None on the last).

    A page gets each order as ``BuyerOrder``: the seller joined, every line with its
    ``LineEligibility`` at ``now`` under its seller's policy in force (units returnable until
    ``last_day`` in the buyer's time zone, and every refusal with its sentence; ``held_by``, the
    codes to link), and the order's returns. Five queries whatever the page size. Anyone but a buyer 403 ``forbidden``.
    """
    orders = _buyer_orders(actor)
    if cursor:
        placed_at, pk = cursor_decode(cursor, filters=("buyer-orders", actor.buyer_id))
        orders = orders.filter(Q(placed_at__lt=placed_at) | Q(placed_at=placed_at, pk__lt=pk))
    page = list(orders.order_by("-placed_at", "-id")[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        next_cursor = cursor_encode(page[-1].placed_at, page[-1].pk, filters=("buyer-orders", actor.buyer_id))
    policies = policies_in_force(seller_ids={order.seller_id for order in page})
    return [_buyer_order(order, now, policies[order.seller_id]) for order in page], next_cursor


def order_for_buyer(*, external_id: str, actor: Actor, now: datetime) -> BuyerOrder:
    """One of the signed-in buyer's orders as ``orders_for_buyer`` gives it (five queries), or 404
    ``not_found`` for an order that is not theirs or does not exist. Anyone but a buyer 403
    ``forbidden``."""
    order = _buyer_orders(actor).filter(external_id=external_id).first()
    if order is None:
        raise BuyerOrderNotFound(f"You have no order {external_id!r}.")
    return _buyer_order(order, now, policies_in_force(seller_ids={order.seller_id})[order.seller_id])


# --- Eligibility: GET /orders/{external_id}/returnable ----------------------------------------


def holding_sql(alias: str) -> tuple[str, list[str]]:
    """Whether the return ``alias`` still claims the units it names (``lifecycle.holds_quantity``):
    an SQL condition and its parameters."""
    released, closed_released = sorted(lifecycle.RELEASING_STATUSES), sorted(lifecycle.RELEASING_CLOSES)
    condition = (
        f"{alias}.status NOT IN ({', '.join(['%s'] * len(released))})"
        f" AND NOT ({alias}.status = %s AND {alias}.closed_from IN ({', '.join(['%s'] * len(closed_released))}))"
    )
    return condition, [*released, Status.CLOSED, *closed_released]


def held_units_sql(line_alias: str) -> tuple[str, list[str]]:
    """The units the returns that still claim theirs hold of the order line ``line_alias``: an SQL
    expression and its parameters."""
    holding, params = holding_sql("r")
    sql = (
        f"COALESCE((SELECT SUM(rl.quantity) FROM {quoted_table(ReturnLine)} rl"  # noqa: S608
        f" JOIN {quoted_table(Return)} r ON r.id = rl.return_request_id"
        f" WHERE rl.order_line_id = {line_alias}.id AND {holding}), 0)"
    )
    return sql, params


def order_lines_with_held(order: Order) -> list[tuple[OrderLine, int]]:
    """The order's lines in their order, each with the units other returns hold, summed in the
    database: one statement whatever the number of lines or returns, in plain SQL because building
    the ORM's subquery cost more than running it (as for ``services._order_read``)."""
    held, params = held_units_sql("ol")
    sql = (
        f"SELECT {select_columns(OrderLine, 'ol')}, {held}"  # noqa: S608
        f" FROM {quoted_table(OrderLine)} ol WHERE ol.order_id = %s ORDER BY ol.id"
    )
    lines = []
    for *columns, units in fetch_all(sql, [*params, order.pk]):
        (line,) = row_to_instances(columns, OrderLine)
        assert isinstance(line, OrderLine)
        line.order = order
        lines.append((line, units))
    return lines


@dataclass(frozen=True)
class ReturnableLine:
    line: OrderLine
    eligibility: eligibility.LineEligibility


@dataclass(frozen=True)
class OrderReturnable:
    """An order's lines judged now under the policy in force (``policies.domain.eligibility``)."""

    order: Order
    policy_version: int
    eu_buyer: bool
    lines: list[ReturnableLine]


def order_returnable(*, external_id: str, actor: Actor, now: datetime) -> OrderReturnable:
    """Whether each line of an order may be returned now, for which reasons and how many units,
    and why not: the answer of ``GET /orders/{external_id}/returnable``.

    The platform and agents see every order, a seller its own (another's answers 404
    ``order_not_found``, like a missing one); others 403 ``forbidden``. Three queries (the order
    with its buyer, the policy in force, the lines with the units returns hold) for
    any number of lines.
    """
    access_require(actor, ActorKind.PLATFORM, ActorKind.AGENT, ActorKind.SELLER_KEY, ActorKind.SELLER_USER)
    order = scope_to_actor(Order.objects.select_related("buyer"), actor).filter(external_id=external_id).first()
    if order is None:
        raise OrderNotFound(f"No order {external_id!r}.")
    buyer = buyer_facts(order.buyer)
    in_force = policy_in_force(seller_id=order.seller_id)
    lines = []
    for line, held in order_lines_with_held(order):
        facts = line_facts(line, held=held)
        answer = eligibility.line_eligibility(facts, buyer=buyer, policy=in_force.policy, now=now)
        lines.append(ReturnableLine(line=line, eligibility=answer))
    return OrderReturnable(
        order=order, policy_version=in_force.version, eu_buyer=calendar.is_eu_buyer(buyer.country), lines=lines
    )
