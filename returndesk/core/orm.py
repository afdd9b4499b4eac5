"""Small ORM helpers every app may use."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model


def rows_known(instance: Model, **relations: Iterable[Model]) -> None:
    """Tell ``instance`` the rows of its reverse relations, as a prefetch would.

    A service that has just written a row and its children holds every one of them; seeding the
    relations lets the answer be rendered from them instead of reading them back. This is what
    ``prefetch_related`` itself stores: a queryset whose results are already known.
    """
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in relations.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset


def rows_changed(instance: Model, *names: str) -> None:
    """Forget what ``instance`` knew of these relations: rows were added since it was read."""
    cache = instance.__dict__.get("_prefetched_objects_cache", {})
    for name in names:
        cache.pop(name, None)
