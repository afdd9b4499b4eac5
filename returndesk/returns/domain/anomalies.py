"""Receipt anomalies: what was wrong with a parcel, recorded beside the status. Pure Python.

The registry holds every anomaly code the running code knows. The six of the core domain are
registered here; an app that detects another kind (a weighing scale at the drop-off point, say)
registers its code with ``register`` in its ``AppConfig.ready()``.

A stored anomaly keeps its code even when no app registers that code any more: the API shows it
as stored, and the lifecycle, which reads only known codes, ignores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Codes travel in the API and in event data: short snake_case words.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CODE_MAX_LENGTH = 32


class Anomaly(StrEnum):
    """The anomalies of the core domain (DOMAIN.md), which the lifecycle may read."""

    ITEM_MISMATCH = "item_mismatch"
    SHORT = "short"
    EXTRA = "extra"
    EMPTY_BOX = "empty_box"
    DAMAGED_ON_RETURN = "damaged_on_return"
    LOST_IN_TRANSIT = "lost_in_transit"


@dataclass(frozen=True)
class AnomalyKind:
    code: str
    title: str


_KNOWN: dict[str, AnomalyKind] = {}


def register(code: str, *, title: str) -> AnomalyKind:
    """Make ``code`` a known anomaly; registering the same code and title again changes nothing."""
    if not CODE_PATTERN.fullmatch(code):
        raise ValueError(f"Anomaly code {code!r} is not 1-{CODE_MAX_LENGTH} characters of [a-z0-9_].")
    kind = AnomalyKind(code=str(code), title=title)
    known_kind = _KNOWN.setdefault(kind.code, kind)
    if known_kind != kind:
        raise ValueError(f"Anomaly code {code!r} is already registered as {known_kind.title!r}.")
    return kind


def is_known(code: str) -> bool:
    return code in _KNOWN


def known_codes() -> frozenset[str]:
    return frozenset(_KNOWN)


def kind_of(code: str) -> AnomalyKind | None:
    return _KNOWN.get(code)


register(Anomaly.ITEM_MISMATCH, title="The parcel holds another item than the one sold")
register(Anomaly.SHORT, title="Fewer units arrived than the return names")
register(Anomaly.EXTRA, title="More units arrived than the return names")
register(Anomaly.EMPTY_BOX, title="The parcel arrived empty")
register(Anomaly.DAMAGED_ON_RETURN, title="The item was damaged on its way back")
register(Anomaly.LOST_IN_TRANSIT, title="The parcel was lost in transit")
