"""Staff members, for the platform: create, list, rename, deactivate, reset a password."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router
from pydantic import Field

from returndesk.accounts import selectors, services
from returndesk.accounts.models import StaffMembership
from returndesk.accounts.schemas import (
    StaffIn,
    StaffListQuery,
    StaffOut,
    StaffPageOut,
    StaffPatchIn,
    StaffWithPasswordOut,
)
from returndesk.core.access import access_require
from returndesk.core.actors import ActorKind
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import idempotent

router = Router(tags=["staff"])
# A staff member's id: a bigint, never anything the database would overflow on.
StaffId = Annotated[int, Field(ge=1, lt=2**63)]


class _WithPassword:
    """A staff member as ``StaffWithPasswordOut`` reads them: the membership's members, and the
    password the service just generated."""

    def __init__(self, membership: StaffMembership, password: str) -> None:
        self._membership = membership
        self.password = password

    def __getattr__(self, name: str) -> Any:
        return getattr(self._membership, name)


def _with_password(membership: StaffMembership, password: str) -> _WithPassword:
    return _WithPassword(membership, password)


@router.post("/staff", response={201: StaffWithPasswordOut, **errors(400, 403, 404, 409)})
def staff_create(request: HttpRequest, payload: StaffIn) -> HttpResponse:
    """Create a staff member who signs in on the pages; the answer holds their generated password,
    shown once (an Idempotency-Key repeat is refused, never replayed with it)."""
    actor = access_require(actor_of(request), ActorKind.PLATFORM)

    def produce() -> HttpResponse:
        membership, password = services.staff_create(
            email=payload.email,
            role=payload.role,
            name=payload.name,
            seller=payload.seller,
            carrier=payload.carrier,
            point_id=payload.point_id,
        )
        return respond(201, StaffWithPasswordOut, _with_password(membership, password))

    return idempotent(request, actor, produce, secret_answer=True)


@router.get("/staff", response={200: StaffPageOut, **errors(403)})
def staff_list(request: HttpRequest, query: Query[StaffListQuery]) -> HttpResponse:
    """Staff members by email, a page at a time; follow ``next_cursor`` until it is null."""
    access_require(actor_of(request), ActorKind.PLATFORM)
    filters = selectors.StaffFilters(role=query.role, seller=query.seller)
    page, next_cursor = selectors.staff_list(filters=filters, limit=query.limit, cursor=query.cursor)
    return respond(200, StaffPageOut, {"items": page, "next_cursor": next_cursor})


@router.patch("/staff/{staff_id}", response={200: StaffOut, **errors(400, 403, 404)})
def staff_update(request: HttpRequest, staff_id: Path[StaffId], payload: StaffPatchIn) -> HttpResponse:
    """Rename a staff member, or deactivate one (signed out at their next request) or reactivate."""
    access_require(actor_of(request), ActorKind.PLATFORM)
    membership = services.staff_update(staff_id=staff_id, name=payload.name, active=payload.active)
    return respond(200, StaffOut, membership)


@router.post("/staff/{staff_id}/password", response={200: StaffWithPasswordOut, **errors(400, 403, 404, 409)})
def staff_password_reset(request: HttpRequest, staff_id: Path[StaffId]) -> HttpResponse:
    """Give a staff member a new generated password, shown once in the answer; every session they
    have ends."""
    actor = access_require(actor_of(request), ActorKind.PLATFORM)

    def produce() -> HttpResponse:
        membership, password = services.staff_password_reset(staff_id=staff_id)
        return respond(200, StaffWithPasswordOut, _with_password(membership, password))

    return idempotent(request, actor, produce, secret_answer=True)
