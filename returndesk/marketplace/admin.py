from django.contrib import admin

from returndesk.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from returndesk.marketplace.models import Buyer, Order, OrderLine, Payment, Seller


@admin.register(Seller)
class SellerAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "name", "country", "city"]
    search_fields = ["external_id", "name"]
    ordering = ["external_id"]


@admin.register(Buyer)
class BuyerAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "country", "locale", "time_zone"]
    search_fields = ["external_id", "email"]
    ordering = ["external_id"]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["external_id", "sku", "title", "quantity", "unit_price", "paid_amount", "final_sale", "delivered_at"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["method", "gateway", "reference", "amount"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "number", "seller", "currency", "placed_at", "delivered_at"]
    search_fields = ["external_id", "number", "buyer__external_id"]
    list_select_related = ["seller"]
    ordering = ["external_id"]
    inlines = [OrderLineInline, PaymentInline]
