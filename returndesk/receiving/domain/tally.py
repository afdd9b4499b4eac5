"""Receiving a parcel: what was scanned against what the return names. Pure Python.

A receipt compares the units the return's lines expect with the scans of what came out of the
box. A scan names an item by SKU (any case), by GTIN (compared as 14 digits, left-padded with
zeros) or as a raw ``item`` scan, tried as a SKU and then as a GTIN. Each line comes out ``ok``,
``short`` or ``extra``; a scan that names no line is ``unmatched``. No scans at all means that
everything the return names arrived.

``anomalies`` turns a tally, and the anomalies a person adds, into the rows to record: a short
line is ``short``, a surplus ``extra``, each unmatched item ``item_mismatch`` (on no line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from returndesk.returns.domain import codes
from returndesk.returns.domain.anomalies import Anomaly

GTIN_LENGTH = 14
# The GTIN shapes an order line may carry (GTIN-8, -12, -13, -14), as the order import takes them.
GTIN_PATTERN = re.compile(r"^(\d{8}|\d{12,14})$")
# The anomalies a receipt may record: what the scans show, and what a person sees in the box.
RECEIPT_ANOMALIES: tuple[Anomaly, ...] = (
    Anomaly.SHORT,
    Anomaly.EXTRA,
    Anomaly.ITEM_MISMATCH,
    Anomaly.EMPTY_BOX,
    Anomaly.DAMAGED_ON_RETURN,
)


class ScanKey(StrEnum):
    """What a scanned line names the item by."""

    SKU = "sku"
    GTIN = "gtin"
    ITEM = "item"


class LineResult(StrEnum):
    OK = "ok"
    SHORT = "short"
    EXTRA = "extra"


@dataclass(frozen=True)
class ExpectedLine:
    """A line of the return: the order line's external id, SKU, GTIN ("" for none) and units."""

    line: str
    sku: str
    gtin: str
    quantity: int


@dataclass(frozen=True)
class Scan:
    key: ScanKey
    value: str
    quantity: int = 1


@dataclass(frozen=True)
class LineTally:
    line: str
    sku: str
    gtin: str
    expected: int
    scanned: int

    @property
    def result(self) -> LineResult:
        if self.scanned < self.expected:
            return LineResult.SHORT
        if self.scanned > self.expected:
            return LineResult.EXTRA
        return LineResult.OK

    def as_data(self) -> dict[str, Any]:
        return {"line": self.line, "expected": self.expected, "scanned": self.scanned, "result": str(self.result)}


@dataclass(frozen=True)
class Unmatched:
    """Units that no line of the return names; the member their scan named is set, the others None."""

    sku: str | None
    gtin: str | None
    item: str | None
    quantity: int

    def as_data(self) -> dict[str, Any]:
        return {"sku": self.sku, "gtin": self.gtin, "item": self.item, "quantity": self.quantity}


@dataclass(frozen=True)
class Tally:
    lines: tuple[LineTally, ...]
    unmatched: tuple[Unmatched, ...] = ()

    def as_data(self) -> dict[str, Any]:
        return {
            "lines": [line.as_data() for line in self.lines],
            "unmatched": [item.as_data() for item in self.unmatched],
        }


@dataclass(frozen=True)
class Found:
    """An anomaly to record: its code, the line it is on (None: the parcel), a note, its data."""

    code: Anomaly
    line: str | None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reported:
    """An anomaly a person adds to a receipt."""

    code: Anomaly
    line: str | None = None
    note: str = ""


def gtin14(value: str) -> str | None:
    """``value`` as the 14 digits GTINs are compared by, or None when it is no GTIN's shape."""
    value = value.strip()
    return value.zfill(GTIN_LENGTH) if GTIN_PATTERN.fullmatch(value) else None


def sku_key(value: str) -> str:
    """SKUs are compared in any case, without the whitespace a scanner adds."""
    return value.strip().casefold()


def scan_names_code(scan: str, code: str) -> bool:
    """Whether a scan (any case, hyphens, a scanner's trailing newline) is the return code ``code``."""
    return codes.normalise(scan) == code


def _candidates(scan: Scan, lines: Sequence[ExpectedLine]) -> list[int]:
    """The indexes of the lines ``scan`` names, in line order."""
    by_sku = [index for index, line in enumerate(lines) if sku_key(line.sku) == sku_key(scan.value)]
    gtin = gtin14(scan.value)
    by_gtin = [index for index, line in enumerate(lines) if gtin and line.gtin and gtin14(line.gtin) == gtin]
    match scan.key:
        case ScanKey.SKU:
            return by_sku
        case ScanKey.GTIN:
            return by_gtin
        case ScanKey.ITEM:
            return by_sku or by_gtin


def _unmatched_entry(scan: Scan, quantity: int) -> Unmatched:
    value = scan.value.strip()
    match scan.key:
        case ScanKey.SKU:
            return Unmatched(sku=value, gtin=None, item=None, quantity=quantity)
        case ScanKey.GTIN:
            return Unmatched(sku=None, gtin=gtin14(value) or value, item=None, quantity=quantity)
        case ScanKey.ITEM:
            return Unmatched(sku=None, gtin=None, item=value, quantity=quantity)


def tally(lines: Sequence[ExpectedLine], scans: Sequence[Scan] | None) -> Tally:
    """Each line's expected and scanned units, and the scans no line names.

    ``scans`` None: nothing was scanned item by item, everything arrived. A scan fills the lines
    it names in order, each up to its quantity; what is left over goes to the last of them.
    Unmatched scans of one item (the same key and value, compared as the lines are) add up.
    """
    if scans is None:
        return Tally(tuple(LineTally(line.line, line.sku, line.gtin, line.quantity, line.quantity) for line in lines))
    scanned = [0] * len(lines)
    unmatched: dict[tuple[ScanKey, str], Unmatched] = {}
    for scan in scans:
        candidates = _candidates(scan, lines)
        if not candidates:
            key = (scan.key, gtin14(scan.value) or sku_key(scan.value))
            known = unmatched.get(key)
            # Shown as first scanned; later scans of the same item add their units.
            unmatched[key] = (
                replace(known, quantity=known.quantity + scan.quantity)
                if known
                else _unmatched_entry(scan, scan.quantity)
            )
            continue
        left = scan.quantity
        for index in candidates:
            taken = min(left, max(lines[index].quantity - scanned[index], 0))
            scanned[index] += taken
            left -= taken
        scanned[candidates[-1]] += left
    return Tally(
        tuple(
            LineTally(line.line, line.sku, line.gtin, line.quantity, count)
            for line, count in zip(lines, scanned, strict=True)
        ),
        tuple(unmatched.values()),
    )


def _line_data(line: LineTally) -> dict[str, Any]:
    return {"sku": line.sku, "gtin": line.gtin or None, "expected": line.expected, "scanned": line.scanned}


def anomalies(counted: Tally, reported: Iterable[Reported] = ()) -> list[Found]:
    """The anomalies a receipt records: those the tally shows (``short`` and ``extra`` on their
    lines, ``item_mismatch`` for each unmatched item), then those reported that it does not. A
    reported one the tally shows too is recorded once, with the reported note. Every ``line``
    of ``reported`` must be one of the tally's (the caller checks)."""
    found: dict[tuple[Anomaly, str | None], Found] = {}
    unmatched: list[Found] = []
    for line in counted.lines:
        if line.result is LineResult.SHORT:
            found[(Anomaly.SHORT, line.line)] = Found(Anomaly.SHORT, line.line, data=_line_data(line))
        elif line.result is LineResult.EXTRA:
            found[(Anomaly.EXTRA, line.line)] = Found(Anomaly.EXTRA, line.line, data=_line_data(line))
    for item in counted.unmatched:
        unmatched.append(Found(Anomaly.ITEM_MISMATCH, None, data=item.as_data()))
    by_line = {line.line: line for line in counted.lines}
    added: list[Found] = []
    for report in reported:
        key = (report.code, report.line)
        if key == (Anomaly.ITEM_MISMATCH, None) and unmatched:
            first = unmatched[0]
            unmatched[0] = Found(first.code, None, _joined(first.note, report.note), first.data)
            continue
        if key in found:
            known = found[key]
            found[key] = Found(known.code, known.line, _joined(known.note, report.note), known.data)
            continue
        same = next((entry for entry in added if (entry.code, entry.line) == key), None)
        if same is not None:
            added[added.index(same)] = Found(same.code, same.line, _joined(same.note, report.note), same.data)
            continue
        data = _line_data(by_line[report.line]) if report.line is not None else {}
        added.append(Found(report.code, report.line, report.note, data))
    return [*found.values(), *unmatched, *added]


def _joined(first: str, second: str) -> str:
    return "; ".join(note for note in (first, second) if note)
