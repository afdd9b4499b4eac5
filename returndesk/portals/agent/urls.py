from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.agent import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.agent_search, name="agent"),
    path("returns/<str:code>", views.agent_return, name="agent-return"),
    path("returns/<str:code>/code-reminder", views.agent_code_resend, name="agent-code-resend"),
]
