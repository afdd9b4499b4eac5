from django.contrib import admin

from returndesk.core.admin_base import ReadOnlyAdmin
from returndesk.receiving.models import Parcel, Receiving


@admin.register(Receiving)
class ReceivingAdmin(ReadOnlyAdmin):
    list_display = ["return_request", "at"]
    list_select_related = ["return_request"]
    search_fields = ["return_request__code"]
    ordering = ["-at", "-id"]


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "seller", "status", "tracking_number", "recorded_at", "matched_return"]
    list_filter = ["status"]
    list_select_related = ["seller", "matched_return"]
    search_fields = ["public_id", "tracking_number", "sender_name", "matched_return__code"]
    ordering = ["-recorded_at", "-id"]
