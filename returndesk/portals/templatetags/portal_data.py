"""``{% load portal_data %}``: stored values shown for staff: ``{{ event.data|as_json }}``,
``{{ code|code_display }}``."""

from __future__ import annotations

import json

from django import template

from returndesk.returns.domain import codes

register = template.Library()


@register.filter(name="as_json")
def as_json(value: object) -> str:
    """``value`` as indented JSON, keys sorted: an event's data for staff, as the API gives it.
    Autoescaped like any text."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter(name="code_display")
def code_display(code: str) -> str:
    """A canonical return code grouped for people: ``K7Q2-XM4D-9T30-6``."""
    return codes.display(code)
