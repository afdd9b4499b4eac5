from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.counter import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.counter, name="counter"),
    path("check", views.counter_check, name="counter-check"),
    path("handover", views.counter_handover, name="counter-handover"),
    path("receipts/<str:receipt_id>", views.counter_receipt, name="counter-receipt"),
]
