from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.buyer import sign_in, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.orders, name="buyer-orders"),
    path("sign-in/", sign_in.sign_in_request, name="buyer-sign-in"),
    path("link/<str:token>", sign_in.link, name="buyer-link"),
    path("orders/<str:external_id>/return", views.return_form, name="buyer-return-form"),
    path("returns/<str:code>", views.return_page, name="buyer-return"),
    path("returns/<str:code>/cancel", views.return_cancel, name="buyer-return-cancel"),
    path("returns/<str:code>/accept-offer", views.offer_accept, name="buyer-accept-offer"),
    path("returns/<str:code>/decline-offer", views.offer_decline, name="buyer-decline-offer"),
    path("returns/<str:code>/label.pdf", views.label_pdf, name="buyer-return-label"),
    path("returns/<str:code>/packing-slip.pdf", views.packing_slip_pdf, name="buyer-return-packing-slip"),
]
