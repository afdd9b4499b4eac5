"""The staff API's bodies and answers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import AwareDatetime, Field

from returndesk.accounts.models import StaffMembership
from returndesk.core.actors import StaffRole
from returndesk.core.schemas import InSchema, StrictBool


class StaffIn(InSchema):
    email: str = Field(min_length=3, max_length=254, description="Signs in with it; stored lower-cased")
    role: StaffRole
    name: str = Field(default="", max_length=200)
    seller: str | None = Field(default=None, max_length=100, description="Seller external id (seller roles only)")
    carrier: str | None = Field(default=None, max_length=50, description="Carrier slug (counter only)")
    point_id: str | None = Field(default=None, max_length=100, description="Drop-off point (counter only)")


class StaffPatchIn(InSchema):
    name: str | None = Field(default=None, max_length=200)
    active: StrictBool | None = Field(default=None, description="false signs them out at their next request")


class StaffListQuery(InSchema):
    role: StaffRole | None = None
    seller: str | None = Field(default=None, max_length=100, description="Seller external id")
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class StaffOut(Schema):
    id: int
    email: str
    name: str
    role: StaffRole
    seller: str | None
    carrier: str | None
    point_id: str | None
    active: bool
    created_at: AwareDatetime

    @staticmethod
    def resolve_id(membership: StaffMembership) -> int:
        return membership.user_id

    @staticmethod
    def resolve_email(membership: StaffMembership) -> str:
        return membership.user.username

    @staticmethod
    def resolve_seller(membership: StaffMembership) -> str | None:
        return membership.seller.external_id if membership.seller is not None else None

    @staticmethod
    def resolve_carrier(membership: StaffMembership) -> str | None:
        return membership.carrier or None

    @staticmethod
    def resolve_point_id(membership: StaffMembership) -> str | None:
        return membership.point_id or None

    @staticmethod
    def resolve_active(membership: StaffMembership) -> bool:
        return membership.user.is_active

    @staticmethod
    def resolve_created_at(membership: StaffMembership) -> datetime:
        return membership.created_at


class StaffWithPasswordOut(StaffOut):
    password: str = Field(description="Generated; shown in this answer only, never again")


class StaffPageOut(Schema):
    items: list[StaffOut]
    next_cursor: str | None
