from django.contrib import admin

from returndesk.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from returndesk.refunds.models import Offer, Refund, RefundLine, RefundTransaction


class RefundLineInline(ReadOnlyInline):
    model = RefundLine


class RefundTransactionInline(ReadOnlyInline):
    model = RefundTransaction


# Read-only: money moves through the ledger's services alone, which keep the running totals.
@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "return_request", "kind", "total", "currency", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["return_request"]
    search_fields = ["return_request__code"]
    ordering = ["-created_at", "-id"]
    inlines = [RefundLineInline, RefundTransactionInline]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["id", "return_request", "amount", "currency", "state", "made_at"]
    list_filter = ["state"]
    list_select_related = ["return_request"]
    search_fields = ["return_request__code"]
    ordering = ["-made_at", "-id"]
