from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from returndesk.accounts.models import ApiKey
from returndesk.accounts.services import apikey_revoke
from returndesk.core.admin_base import ReadOnlyAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "role", "seller", "supervisor", "name", "created_at", "revoked_at"]
    list_filter = ["role", "supervisor"]
    search_fields = ["prefix", "name"]
    exclude = ["digest"]
    actions = ["revoke"]

    def get_actions(self, request: HttpRequest) -> dict:  # type: ignore[type-arg]
        # The read-only base hides actions along with deletes; revoking is the one allowed.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Revoke the selected keys (running servers honour it within 10 s)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            apikey_revoke(prefix=api_key.prefix)
        messages.success(request, f"Revoked {queryset.count()} key(s).")
