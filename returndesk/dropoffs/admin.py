from django.contrib import admin

from returndesk.core.admin_base import ReadOnlyAdmin
from returndesk.dropoffs.models import DropoffPoint, Receipt, TrackingEvent


@admin.register(DropoffPoint)
class DropoffPointAdmin(ReadOnlyAdmin):
    list_display = ["carrier", "point_id", "name", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["carrier", "point_id", "name"]
    ordering = ["carrier", "point_id"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["receipt_id", "return_request", "carrier", "point", "accepted_at", "tracking_number", "current"]
    list_filter = ["offline", "current"]
    search_fields = ["receipt_id", "return_request__code", "tracking_number"]
    list_select_related = ["return_request", "point"]
    ordering = ["-at", "-id"]


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ["carrier", "event_id", "tracking_number", "status", "occurred_at", "applied"]
    list_filter = ["status", "applied"]
    search_fields = ["event_id", "tracking_number", "code"]
    ordering = ["-received_at", "-id"]
