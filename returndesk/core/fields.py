"""Model field helpers every app shares."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


def money_field(**options: object) -> models.DecimalField:  # type: ignore[type-arg]
    """Exact amounts; four places hold every ISO 4217 currency's minor unit. ``options`` go to
    the field (a ``default``)."""
    return models.DecimalField(max_digits=19, decimal_places=4, **options)  # type: ignore[arg-type]


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """A pure-domain enum as Django choices, labelled for people (``not_as_described``: "not as described")."""
    return [(member.value, member.value.replace("_", " ")) for member in enum]
