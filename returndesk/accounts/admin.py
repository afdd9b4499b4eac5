from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from returndesk.accounts.models import ApiKey, MagicLink, StaffMembership
from returndesk.accounts.services import apikey_revoke
from returndesk.core.admin_base import ReadOnlyAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "role", "seller", "supervisor", "name", "created_at", "revoked_at"]
    list_filter = ["role", "supervisor"]
    search_fields = ["prefix", "name"]
    exclude = ["digest"]
    ordering = ["-created_at", "-id"]
    actions = ["revoke"]

    def get_actions(self, request: HttpRequest) -> dict:  # type: ignore[type-arg]
        # The read-only base hides actions along with deletes; revoking is the one allowed.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Filtering on the digest would let staff learn it a character at a time (?digest__startswith=).
        if lookup.split(LOOKUP_SEP, 1)[0] == "digest":
            return False
        return bool(super().lookup_allowed(lookup, value, request))

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        """Revoking cuts a client off: its own permission, not implied by seeing the keys."""
        return bool(request.user.has_perm("accounts.revoke_apikey"))

    @admin.action(
        description="Revoke the selected keys (running servers honour it within 10 s)", permissions=["revoke"]
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        # The admin offers the action only with the permission; a hand-made POST is checked here too.
        if not self.has_revoke_permission(request):
            raise PermissionDenied
        revoked = [apikey_revoke(prefix=api_key.prefix) for api_key in queryset]
        messages.success(request, f"Revoked {len(revoked)} key{'s' if len(revoked) != 1 else ''}.")


@admin.register(StaffMembership)
class StaffMembershipAdmin(ReadOnlyAdmin):
    """Staff are created, renamed, deactivated and given new passwords through ``createuser`` or
    the staff API, which generate the passwords; here they are only seen."""

    list_display = ["user", "role", "seller", "carrier", "point_id", "name", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "name", "point_id"]
    list_select_related = ["user", "seller"]
    ordering = ["user__username"]


@admin.register(MagicLink)
class MagicLinkAdmin(ReadOnlyAdmin):
    list_display = ["buyer", "return_code", "created_at", "expires_at", "used_at"]
    search_fields = ["buyer__external_id", "return_code"]
    list_select_related = ["buyer"]
    exclude = ["digest"]
    ordering = ["-created_at", "-id"]

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # As for API keys: filtering on the digest would let staff learn it a character at a time.
        if lookup.split(LOOKUP_SEP, 1)[0] == "digest":
            return False
        return bool(super().lookup_allowed(lookup, value, request))
