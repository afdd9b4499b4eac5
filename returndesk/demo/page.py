"""The page at ``/``: what returndesk is and where each portal is; in demo mode, how to try it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from returndesk.core import clock
from returndesk.demo.banner import codes_to_try
from returndesk.demo.keys_file import USER_ROLE_PREFIX, keys_read
from returndesk.demo.seed import BUYERS


@dataclass(frozen=True)
class DemoSignIn:
    role: str  # a StaffRole value
    email: str
    password: str


@dataclass(frozen=True)
class DemoTry:
    """What the landing page offers to try in demo mode."""

    sign_ins: list[DemoSignIn]
    buyer_emails: list[str]
    codes: list[tuple[str, str]]  # (the verifier's answer, the code as displayed)


def demo_try(*, now: datetime) -> DemoTry | None:
    """The demo's sign-ins, buyers and codes to try, or None outside demo mode."""
    rows = keys_read()
    if rows is None:
        return None
    return DemoTry(
        sign_ins=[
            DemoSignIn(role=row.role.removeprefix(USER_ROLE_PREFIX), email=row.name, password=row.secret)
            for row in rows
            if row.role.startswith(USER_ROLE_PREFIX)
        ],
        buyer_emails=[buyer["email"] for buyer in BUYERS],
        codes=codes_to_try(now=now),
    )


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
            "demo": demo_try(now=clock.now()),
        },
    )
