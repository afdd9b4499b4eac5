from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.counter import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.counter, name="counter"),
    path("check", views.counter_check, name="counter-check"),
]
