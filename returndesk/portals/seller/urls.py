from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.seller import policy, receiving, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="seller-queue"),
    path("search", views.search, name="seller-search"),
    path("returns/<str:code>", views.return_page, name="seller-return"),
    path("returns/<str:code>/approve", views.approve, name="seller-approve"),
    path("returns/<str:code>/reject", views.reject, name="seller-reject"),
    path("returns/<str:code>/receive", views.receive, name="seller-receive"),
    path("returns/<str:code>/inspect", views.inspect, name="seller-inspect"),
    path("returns/<str:code>/refund", views.refund, name="seller-refund"),
    path("returns/<str:code>/offer", views.offer, name="seller-offer"),
    path("returns/<str:code>/keep", views.keep, name="seller-keep"),
    path("returns/<str:code>/exchange", views.exchange, name="seller-exchange"),
    path("refunds/<int:refund_id>/confirm", views.refund_confirm, name="seller-refund-confirm"),
    path("refunds/<int:refund_id>/retry", views.refund_retry, name="seller-refund-retry"),
    path("receiving", receiving.receiving, name="seller-receiving"),
    path("parcels", receiving.parcels, name="seller-parcels"),
    path("parcels/<str:parcel_id>/match", receiving.parcel_match, name="seller-parcel-match"),
    path("policy", policy.policy_page, name="seller-policy"),
]
