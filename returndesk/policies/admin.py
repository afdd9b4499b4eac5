from django.contrib import admin

from returndesk.core.admin_base import ReadOnlyAdmin
from returndesk.policies.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "seller", "effective_at", "actor_kind", "actor_id"]
    list_select_related = ["seller"]
    search_fields = ["seller__external_id"]
    ordering = ["-version"]
