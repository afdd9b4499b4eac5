"""Reading returns, always through the caller's scope.

No function here looks a return up by a client-supplied value without the caller's scope: a
return the caller may not see is indistinguishable from a missing one.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from returndesk.accounts.access import scope_to_actor
from returndesk.accounts.actors import Actor
from returndesk.core.errors import ValidationFailed
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.verification import Result, Verdict, verdict_by_status, verdict_for
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return, ReturnEvent, ReturnLine


def visible_returns(actor: Actor) -> QuerySet[Return]:
    """Every return ``actor`` may know of. Carriers may know every code (the verifier)."""
    return scope_to_actor(Return.objects.all(), actor)


def _with_lines(returns: QuerySet[Return]) -> QuerySet[Return]:
    return returns.select_related("order", "seller", "buyer").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line").order_by("id")))


def return_get_for_actor(*, code: str, actor: Actor, with_timeline: bool = False) -> Return:
    """One return by code, with its lines (and timeline), or ``not_found``."""
    returns = _with_lines(visible_returns(actor))
    if with_timeline:
        returns = returns.prefetch_related(
            Prefetch("events", queryset=ReturnEvent.objects.order_by("at", "id")))
    found = returns.filter(code=codes.normalise(code)).first()
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


_MAX_ID = 2**63  # bigint: a larger id would overflow the database's parameter, not just match nothing


def _encode_cursor(ret: Return) -> str:
    return base64.urlsafe_b64encode(f"{ret.created_at.isoformat()}|{ret.pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        created_text, pk_text = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        created_at, pk = datetime.fromisoformat(created_text), int(pk_text)
        if created_at.tzinfo is None or not 0 < pk < _MAX_ID:
            raise ValueError(cursor)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValidationFailed("The cursor is not one this API issued.",
                               errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor"}]) from error
    return created_at, pk


def returns_list(*, actor: Actor, filters: ReturnFilters, limit: int,
                 cursor: str | None = None) -> tuple[list[Return], str | None]:
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
        created_at, pk = _decode_cursor(cursor)
        returns = returns.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    page = list(_with_lines(returns).order_by("-created_at", "-id")[: limit + 1])
    if len(page) > limit:
        return page[:limit], _encode_cursor(page[limit - 1])
    return page, None


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    ret: Return | None = None
    suggestions: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.verdict.result is not Result.VALID


def code_verify(*, actor: Actor, raw_code: str, now: datetime, order: str | None = None,
                sku: str | None = None) -> Verification:
    """What the item in hand's code says, first match wins (see domain.verification)."""
    code = codes.normalise(raw_code)
    shape = codes.shape(code)
    if shape is codes.Shape.MALFORMED:
        return Verification(verdict_for(Result.MALFORMED))
    visible = visible_returns(actor)
    if shape is codes.Shape.TYPO:
        candidates = codes.typo_candidates(code)
        existing = sorted(visible.filter(code__in=candidates).values_list("code", flat=True))
        return Verification(verdict_for(Result.TYPO), suggestions=existing)
    ret = _with_lines(visible).filter(code=code).first()
    if ret is None:
        return Verification(verdict_for(Result.UNKNOWN))
    skus = {line.order_line.sku for line in ret.lines.all()}
    if (order and order != ret.order.external_id) or (sku and sku not in skus):
        return Verification(verdict_for(Result.WRONG_ITEM), ret)
    return Verification(verdict_by_status(Status(ret.status), parcel_recorded=ret.parcel_recorded,
                                          ship_by=ret.ship_by, now=now), ret)
