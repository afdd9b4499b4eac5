"""Every portal's routes, one module per portal so that each grows on its own."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("returndesk.portals.common.urls")),
    path("buyer/", include("returndesk.portals.buyer.urls")),
    path("seller/", include("returndesk.portals.seller.urls")),
    path("counter/", include("returndesk.portals.counter.urls")),
    path("agent/", include("returndesk.portals.agent.urls")),
]
