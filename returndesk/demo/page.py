"""The page at ``/``: what returndesk is, and where its API, API docs and admin are."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "demo/home.html",
        {
            "api_docs": reverse("api-v1:openapi-view"),
            "openapi": reverse("api-v1:openapi-json"),
            "health": reverse("api-v1:health"),
            "admin": reverse("admin:index"),
        },
    )
