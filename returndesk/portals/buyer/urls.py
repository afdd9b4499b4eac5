from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from returndesk.portals.buyer import sign_in

urlpatterns: list[URLPattern | URLResolver] = [
    path("sign-in/", sign_in.sign_in_request, name="buyer-sign-in"),
    path("link/<str:token>", sign_in.link, name="buyer-link"),
]
