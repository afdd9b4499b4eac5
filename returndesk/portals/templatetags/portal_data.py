"""``{% load portal_data %}``: stored values shown for staff: ``{{ event.data|as_json }}``
(a code grouped for people is ``return_codes``' ``code_display``)."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter(name="as_json")
def as_json(value: object) -> str:
    """``value`` as indented JSON, keys sorted: an event's data for staff, as the API gives it.
    Autoescaped like any text."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
