"""``{% load portal_words %}``: ``{{ value|word:"status" }}`` shows a machine value in words."""

from __future__ import annotations

from django import template

from returndesk.portals.common import words

register = template.Library()


@register.filter(name="word")
def word(value: object, vocabulary: str) -> str:
    return words.word(value, vocabulary)
