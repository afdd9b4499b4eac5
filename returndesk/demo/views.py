"""The demo's own pages beside the landing page: the mailbox at ``/demo/mail/``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from returndesk.core.errors import NotFound
from returndesk.demo.keys_file import demo_mode
from returndesk.demo.mailbox import mailbox_messages
from returndesk.portals.common.views import problem_page


@require_safe
def mailbox(request: HttpRequest) -> HttpResponse:
    """The emails returndesk sent (sign-in links among them), newest first; demo mode only."""
    if not demo_mode():
        return problem_page(request, NotFound("The demo mailbox exists only in demo mode."))
    response = render(request, "demo/mail.html", {"messages": mailbox_messages()})
    add_never_cache_headers(response)
    return response
