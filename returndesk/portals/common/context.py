"""The context every page's template gets: who is signed in, on which portal, in which layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from returndesk.portals.common.views import BASE, PARTIAL_BASE, is_htmx, portal_session


def portal(request: HttpRequest) -> dict[str, Any]:
    """``actor``, ``signed_in_as`` (words, empty when signed out), ``portal`` (None outside the
    portals) and ``base_template``: a page extends ``{% extends base_template %}`` and an htmx
    request gets its ``main`` block alone.

    Pages outside the portals look the session up only if their template asks for it.
    """
    # portal_session keeps its answer on the request: the session is looked up once at most.
    return {
        "actor": SimpleLazyObject(lambda: portal_session(request).actor),
        "signed_in_as": SimpleLazyObject(lambda: portal_session(request).signed_in_as),
        "portal": SimpleLazyObject(lambda: portal_session(request).portal),
        "base_template": PARTIAL_BASE if is_htmx(request) else BASE,
    }
