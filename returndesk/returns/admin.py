from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from returndesk.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from returndesk.returns.models import Return, ReturnAnomaly, ReturnEvent, ReturnLine


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ["order_line", "quantity", "reason", "note", "outcome", "condition"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnLine]:
        return super().get_queryset(request).select_related("order_line")


class ReturnAnomalyInline(ReadOnlyInline):
    model = ReturnAnomaly
    fields = ["at", "code", "line", "note", "source", "data"]
    ordering = ["at", "id"]


class ReturnEventInline(ReadOnlyInline):
    model = ReturnEvent
    fields = ["at", "action", "from_status", "to_status", "actor_kind", "actor_id", "on_behalf_of", "reason"]
    ordering = ["at", "id"]


@admin.register(Return)
class ReturnAdmin(ReadOnlyAdmin):
    list_display = ["return_code", "status", "resolution", "seller", "order", "created_at", "due_action", "due_at"]
    list_filter = ["status", "resolution", "due_action"]
    search_fields = ["code", "order__external_id", "order__number", "buyer__external_id", "tracking_number"]
    list_select_related = ["seller", "order"]
    inlines = [ReturnLineInline, ReturnAnomalyInline, ReturnEventInline]
    ordering = ["-created_at", "-id"]

    @admin.display(description="code", ordering="code")
    def return_code(self, ret: Return) -> str:
        return ret.code_display
