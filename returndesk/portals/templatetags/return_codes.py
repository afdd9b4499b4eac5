"""``{% load return_codes %}``: a return code as people read it.

``{{ code|code_display }}`` groups it (``K7Q2-XM4D-9T30-6``); ``{{ code|code_spelled }}`` spells it
symbol by symbol for screen readers ("K 7 Q 2, X M 4 D, 9 T 3 0, 6"), which otherwise read a
group as a word or a number.
"""

from __future__ import annotations

from django import template

from returndesk.returns.domain import codes

register = template.Library()


@register.filter(name="code_display")
def code_display(code: str) -> str:
    return codes.display(code)


@register.filter(name="code_spelled")
def code_spelled(code: str) -> str:
    return ", ".join(" ".join(group) for group in codes.display(code).split("-"))
