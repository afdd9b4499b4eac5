"""The pages' own edge: text holding a NUL character is refused before any view reads it.

PostgreSQL text cannot hold NUL, so a path, query or form value carrying one would otherwise
surface as a 500 from whichever query first received it. The API refuses it in
``core.middleware.ApiRequestLimitsMiddleware``; pages answer the same 422 as a problem page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from returndesk.core.middleware import API_PREFIX, nul_refusal
from returndesk.portals.common.views import problem_page


class PageNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) and _holds_nul(request):
            return problem_page(request, nul_refusal())
        return self.get_response(request)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(request: HttpRequest) -> bool:
    values = [request.path, *request.GET.keys()]
    values += [value for _, items in request.GET.lists() for value in items]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += [*request.POST.keys(), *(value for _, items in request.POST.lists() for value in items)]
    return any("\x00" in value for value in values)
