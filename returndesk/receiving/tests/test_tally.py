"""The receipt's tally and the anomalies it shows, pure: lines expected against items scanned."""

from __future__ import annotations

import pytest

from returndesk.receiving.domain.tally import (
    ExpectedLine,
    Found,
    LineTally,
    Reported,
    Scan,
    ScanKey,
    Tally,
    Unmatched,
    anomalies,
    gtin14,
    scan_names_code,
    tally,
)
from returndesk.returns.domain.anomalies import Anomaly

LAMP = ExpectedLine("L1", "SKU-1", "4006381333931", 2)
CABLE = ExpectedLine("L2", "sku-2", "", 1)


def scans(*items: tuple[ScanKey, str, int]) -> list[Scan]:
    return [Scan(key, value, quantity) for key, value, quantity in items]


def results(counted: Tally) -> list[tuple[str, int, int, str]]:
    return [(line.line, line.expected, line.scanned, line.result) for line in counted.lines]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4006381333931", "04006381333931"),
        ("12345670", "00000012345670"),
        (" 012345678905\n", "00012345678905"),
        ("04006381333931", "04006381333931"),
        ("1234567", None),
        ("123456789", None),
        ("400638133393X", None),
    ],
)
def test_a_gtin_is_compared_as_14_digits(raw: str, expected: str | None) -> None:
    assert gtin14(raw) == expected


@pytest.mark.parametrize("scan", ["K7Q2XM4D9T306", "k7q2-xm4d-9t30-6\n", " K7Q2 XM4D 9T3O 6 "])
def test_a_scan_names_the_code_in_any_case_with_hyphens_and_a_trailing_newline(scan: str) -> None:
    assert scan_names_code(scan, "K7Q2XM4D9T306")


def test_a_scan_of_another_code_does_not() -> None:
    assert not scan_names_code("K7Q2XM4D9T307", "K7Q2XM4D9T306")


def test_no_scans_means_everything_arrived() -> None:
    assert results(tally([LAMP, CABLE], None)) == [("L1", 2, 2, "ok"), ("L2", 1, 1, "ok")]
    assert anomalies(tally([LAMP, CABLE], None)) == []


def test_sku_in_any_case_gtin_padded_and_raw_items_tried_as_sku_then_gtin() -> None:
    counted = tally(
        [LAMP, CABLE],
        scans(
            (ScanKey.SKU, "sku-1", 1),
            (ScanKey.GTIN, "04006381333931", 1),
            (ScanKey.ITEM, "SKU-2\n", 1),
        ),
    )

    assert results(counted) == [("L1", 2, 2, "ok"), ("L2", 1, 1, "ok")]
    assert counted.unmatched == ()


def test_a_raw_item_is_tried_as_a_gtin_when_no_sku_matches() -> None:
    counted = tally([LAMP, CABLE], scans((ScanKey.ITEM, "4006381333931", 2), (ScanKey.ITEM, "SKU-2", 1)))

    assert results(counted) == [("L1", 2, 2, "ok"), ("L2", 1, 1, "ok")]


def test_a_gtin_never_matches_a_line_without_one_nor_a_sku() -> None:
    counted = tally([LAMP, CABLE], scans((ScanKey.GTIN, "00000000000000", 1), (ScanKey.SKU, "4006381333931", 1)))

    assert results(counted) == [("L1", 2, 0, "short"), ("L2", 1, 0, "short")]
    assert counted.unmatched == (
        Unmatched(sku=None, gtin="00000000000000", item=None, quantity=1),
        Unmatched(sku="4006381333931", gtin=None, item=None, quantity=1),
    )


def test_short_extra_and_unmatched_items_add_up_and_become_anomalies() -> None:
    counted = tally(
        [LAMP, CABLE],
        scans(
            (ScanKey.SKU, "SKU-1", 1),
            (ScanKey.SKU, "SKU-2", 2),
            (ScanKey.ITEM, "WRONG-9", 1),
            (ScanKey.ITEM, "wrong-9 ", 2),
        ),
    )

    assert results(counted) == [("L1", 2, 1, "short"), ("L2", 1, 2, "extra")]
    assert counted.unmatched == (Unmatched(sku=None, gtin=None, item="WRONG-9", quantity=3),)
    assert anomalies(counted) == [
        Found(Anomaly.SHORT, "L1", data={"sku": "SKU-1", "gtin": "4006381333931", "expected": 2, "scanned": 1}),
        Found(Anomaly.EXTRA, "L2", data={"sku": "sku-2", "gtin": None, "expected": 1, "scanned": 2}),
        Found(Anomaly.ITEM_MISMATCH, None, data={"sku": None, "gtin": None, "item": "WRONG-9", "quantity": 3}),
    ]


def test_two_lines_of_one_sku_fill_in_order_and_the_surplus_goes_to_the_last() -> None:
    first, second = ExpectedLine("L1", "SKU-1", "", 1), ExpectedLine("L3", "SKU-1", "", 1)

    counted = tally([first, second], scans((ScanKey.SKU, "SKU-1", 3)))

    assert counted.lines == (LineTally("L1", "SKU-1", "", 1, 1), LineTally("L3", "SKU-1", "", 1, 2))


def test_reported_anomalies_join_the_tally_s_once_each_with_their_notes() -> None:
    counted = tally([LAMP, CABLE], scans((ScanKey.SKU, "SKU-1", 1), (ScanKey.SKU, "SKU-2", 1)))

    found = anomalies(
        counted,
        [
            Reported(Anomaly.SHORT, "L1", "One lamp missing"),
            Reported(Anomaly.DAMAGED_ON_RETURN, "L2", "Crushed"),
            Reported(Anomaly.DAMAGED_ON_RETURN, "L2", "Wet"),
            Reported(Anomaly.EMPTY_BOX),
        ],
    )

    assert found == [
        Found(
            Anomaly.SHORT,
            "L1",
            "One lamp missing",
            {"sku": "SKU-1", "gtin": "4006381333931", "expected": 2, "scanned": 1},
        ),
        Found(
            Anomaly.DAMAGED_ON_RETURN,
            "L2",
            "Crushed; Wet",
            {"sku": "sku-2", "gtin": None, "expected": 1, "scanned": 1},
        ),
        Found(Anomaly.EMPTY_BOX, None, "", {}),
    ]


def test_a_reported_item_mismatch_on_no_line_notes_the_first_unmatched_item() -> None:
    counted = tally([CABLE], scans((ScanKey.ITEM, "X-1", 1), (ScanKey.ITEM, "X-2", 1)))

    found = anomalies(counted, [Reported(Anomaly.ITEM_MISMATCH, None, "A phone case")])

    assert [(entry.code, entry.line, entry.note, entry.data["item"]) for entry in found[1:]] == [
        (Anomaly.ITEM_MISMATCH, None, "A phone case", "X-1"),
        (Anomaly.ITEM_MISMATCH, None, "", "X-2"),
    ]
