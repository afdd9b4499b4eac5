"""Members that higher apps add to a return's answer.

``returns`` never imports an app above it, yet a label, a refund or a drop-off receipt belongs in
the answer about a return. The higher app registers an extension in its ``AppConfig.ready()``::

    return_extension_register(
        ReturnExtension(name="label", schema=LabelOut | None, resolve=label_of, prefetch=("labels",))
    )

Every return the API answers with (``ReturnOut``, so lists, details and action answers alike)
then carries ``label``, ``label_of(ret)`` validated and rendered as ``schema``, after the core
members; the selectors that read returns for an answer apply ``prefetch`` so that a page costs
the same number of queries whatever its size; and OpenAPI documents the member.

An extension may also say what ``prefetch`` reads as plain SQL (``AnswerRead``): the answer about
one return a service just wrote (``selectors.return_answer_load``) then reads it together with the
core's relations, in one statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from pydantic import TypeAdapter

from returndesk.core.orm import rows_known
from returndesk.core.sql import Rows

if TYPE_CHECKING:
    from datetime import datetime

    from returndesk.returns.models import Return


def _return_pk(ret: Return) -> tuple[Any, ...]:
    return (ret.pk,)


@dataclass(frozen=True)
class AnswerRead:
    """What an extension's ``prefetch`` reads for one return, as plain SQL: ``queries`` (each with
    the parameters ``params(ret)``, by default the return's pk), whose rows (``core.sql.fetch_rows``,
    one list per query) ``seed`` hands to the return exactly as the prefetch would have left them."""

    queries: tuple[Rows, ...]
    seed: Callable[[Return, list[list[tuple[Any, ...]]]], None]
    params: Callable[[Return], tuple[Any, ...]] = _return_pk


def own_rows_seed(name: str, *, to_attr: bool = False) -> Callable[[Return, list[list[tuple[Any, ...]]]], None]:
    """The ``seed`` of a read of one query whose rows, of one model, belong to the return: each is
    told its return, then the return holds them as its relation ``name`` (as a prefetch of it
    leaves them), or with ``to_attr`` as its list attribute ``name`` (a ``Prefetch``'s)."""

    def seed(ret: Return, found: list[list[tuple[Any, ...]]]) -> None:
        (rows,) = found
        own = [row for (row,) in rows]
        for row in own:
            row.return_request = ret
        if to_attr:
            setattr(ret, name, own)
        else:
            rows_known(ret, **{name: own})

    return seed


@dataclass(frozen=True)
class ReturnExtension:
    # The member's name in the answer; it may not shadow a core member.
    name: str
    # The member's type, as a schema field would declare it (e.g. ``LabelOut | None``).
    schema: Any
    # The member's value for one return, read from what ``prefetch`` loaded: never a query per return.
    resolve: Callable[[Return], object]
    # Lookups from Return. A relation the core answer prefetches too (lines, anomalies, events)
    # needs a Prefetch with a ``to_attr`` of its own: Django refuses one lookup with two querysets.
    prefetch: tuple[str | Prefetch[Any], ...] = ()
    # Whether a return's own columns show that ``prefetch`` holds no rows for it (no drop-off
    # receipt, no receiving before a parcel is recorded): the answer about a return a service just
    # wrote then knows them empty without a query (``return_extensions_known_empty``). None: always query.
    known_empty: Callable[[Return], bool] | None = None
    # Only in the answers about one return (``ReturnDetailOut``: its page, an action's answer),
    # not in lists, which then read nothing for it either.
    detail_only: bool = False
    # The queries ``prefetch`` costs (a Prefetch whose queryset prefetches more costs more); None:
    # one per lookup.
    queries: int | None = None
    # The same reads as ``prefetch``, in plain SQL: the answer about one return a service just
    # wrote reads them within its one statement (``return_answer_reads``). None: it prefetches.
    answer_read: AnswerRead | None = None
    adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "adapter", TypeAdapter(self.schema))
        if self.queries is None:
            object.__setattr__(self, "queries", len(self.prefetch))


_EXTENSIONS: dict[str, ReturnExtension] = {}


def return_extension_register(extension: ReturnExtension) -> None:
    """Add ``extension``'s member to every answer about a return, from now on."""
    from returndesk.returns.schemas import ReturnDetailOut

    if extension.name in ReturnDetailOut.model_fields or extension.name in _EXTENSIONS:
        raise ValueError(f"A return's answer already has a member {extension.name!r}.")
    _EXTENSIONS[extension.name] = extension


def return_extension_unregister(name: str) -> None:
    """Take a registered member out of the answers again (an app's tests clean up with this)."""
    del _EXTENSIONS[name]


def return_extensions(*, detail: bool = True) -> tuple[ReturnExtension, ...]:
    """The registered extensions, in the order their members appear; without ``detail``, those
    a list's answer carries."""
    return tuple(extension for extension in _EXTENSIONS.values() if detail or not extension.detail_only)


def return_extension_prefetches(*, detail: bool = True) -> list[str | Prefetch[Any]]:
    return [lookup for extension in return_extensions(detail=detail) for lookup in extension.prefetch]


def return_extensions_known_empty(ret: Return) -> None:
    """Seed, as a prefetch would, what each extension whose ``known_empty`` holds for ``ret``
    reads, so that rendering its answer queries none of it (a prefetch skips what is seeded)."""
    for extension in _EXTENSIONS.values():
        if extension.known_empty is not None and extension.known_empty(ret):
            for lookup in extension.prefetch:
                _seed_empty(ret, lookup)


def _seed_empty(ret: Return, lookup: str | Prefetch[Any]) -> None:
    if isinstance(lookup, Prefetch) and lookup.to_attr:
        setattr(ret, lookup.to_attr, [])
    else:
        rows_known(ret, **{lookup if isinstance(lookup, str) else lookup.prefetch_through: []})


def _known(ret: Return, lookup: str | Prefetch[Any]) -> bool:
    """Whether ``ret`` already holds what ``lookup`` reads (seeded, or prefetched): as Django's
    prefetch judges it, which skips such a lookup too."""
    if isinstance(lookup, Prefetch) and lookup.to_attr:
        return hasattr(ret, lookup.to_attr)
    name = lookup if isinstance(lookup, str) else lookup.prefetch_through
    return name in getattr(ret, "_prefetched_objects_cache", {})


def return_answer_reads(ret: Return) -> tuple[list[AnswerRead], list[str | Prefetch[Any]]]:
    """What the detailed answer about ``ret`` still has to read for its extensions: the plain-SQL
    reads of those that declare one, and the lookups of the others to prefetch. An extension whose
    every lookup ``ret`` already holds (a service seeded it, or ``known_empty`` did) reads nothing."""
    reads: list[AnswerRead] = []
    lookups: list[str | Prefetch[Any]] = []
    for extension in _EXTENSIONS.values():
        unknown = [lookup for lookup in extension.prefetch if not _known(ret, lookup)]
        if not unknown:
            continue
        if extension.answer_read is not None:
            reads.append(extension.answer_read)
        else:
            lookups.extend(unknown)
    return reads, lookups


# --- Filters of the returns list that higher apps answer -----------------------------------------


@dataclass(frozen=True)
class ReturnListFilter:
    """A filter of ``GET /returns`` whose meaning lives in a higher app (``refund_status``: the
    refund ledger's queue). ``returns`` declares the parameter and its values in its query schema;
    the app registers how a value narrows the caller's returns at ``now``."""

    name: str
    apply: Callable[[QuerySet[Return], str, datetime], QuerySet[Return]]


_LIST_FILTERS: dict[str, ReturnListFilter] = {}


def return_list_filter_register(list_filter: ReturnListFilter) -> None:
    if list_filter.name in _LIST_FILTERS:
        raise ValueError(f"The returns list already has a filter {list_filter.name!r}.")
    _LIST_FILTERS[list_filter.name] = list_filter


def return_list_filtered(returns: QuerySet[Return], name: str, value: str, now: datetime) -> QuerySet[Return]:
    """``returns`` narrowed by the registered filter ``name``; none registered matches nothing
    (the app that gives the value its meaning is not installed)."""
    list_filter = _LIST_FILTERS.get(name)
    return returns.none() if list_filter is None else list_filter.apply(returns, value, now)
