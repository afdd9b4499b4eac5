"""The pages' own edge, answering in the pages' problem format what no view does:

- text holding a NUL character is refused before any view reads it: PostgreSQL text cannot hold
  NUL, so a path, query or form value carrying one would otherwise surface as a 500 from
  whichever query first received it (the API refuses it in ``core.middleware``; pages answer the
  same 422 as a problem page);
- a method a page does not take (``require_POST`` and friends answer a bare 405) becomes the
  API's 405 ``method_not_allowed`` problem, with its ``Allow`` header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from returndesk.core.errors import MethodNotAllowed
from returndesk.core.middleware import API_PREFIX, nul_refusal
from returndesk.portals.common.views import problem_page


class PageEdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if _holds_nul(request):
            return problem_page(request, nul_refusal())
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            problem = problem_page(request, MethodNotAllowed(f"This page takes {allowed}, not {request.method}."))
            problem["Allow"] = allowed
            return problem
        return response


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
