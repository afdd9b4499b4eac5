from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.agent import refunds, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.agent_search, name="agent"),
    path("returns/<str:code>", views.agent_return, name="agent-return"),
    path("returns/<str:code>/code-reminder", views.agent_code_resend, name="agent-code-resend"),
    path("refunds", refunds.refund_queue, name="agent-refunds"),
    path("refunds/<int:refund_id>/release", refunds.refund_release, name="agent-refund-release"),
    path("refunds/<int:refund_id>/confirm", refunds.refund_confirm, name="agent-refund-confirm"),
    path("refunds/<int:refund_id>/retry", refunds.refund_retry, name="agent-refund-retry"),
    path("refunds/<int:refund_id>/cancel", refunds.refund_cancel, name="agent-refund-cancel"),
]
