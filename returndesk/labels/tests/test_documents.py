"""The label and packing slip as a scanner and a reader see them: rendered at 300 and 150 dpi,
their Code 128 decodes to the canonical code and the label's QR to a payload that verifies.
Drawn once per module (no database: the contents are a ``Label`` and the QR signed with a key
made here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from reportlab.pdfbase.pdfmetrics import getFont

from returndesk.labels import documents
from returndesk.labels.domain import qr
from returndesk.labels.tests.reading import decoded, page_image, page_size, page_text
from returndesk.portals.common.words import REASON

CODE = "K7Q2XM4D9T306"
PRIVATE = qr.generate_private_key()
PUBLIC_KEYS = {qr.kid_of(qr.public_key_of(PRIVATE)): qr.public_key_of(PRIVATE)}
SHIP_BY = datetime(2030, 5, 17, 12, 0, 30, tzinfo=UTC)
LABEL = documents.Label(
    code=CODE,
    code_display="K7Q2-XM4D-9T30-6",
    seller="S-Ä",
    seller_name="Möbel & <Söhne>",
    return_address={
        "name": "Returns department",
        "lines": ["Hauptstraße 1", "Hof 2"],
        "city": "Berlin",
        "postal_code": "10115",
        "country": "DE",
    },
    order_number="1001-77",
    ship_by=SHIP_BY,
    time_zone="Europe/Berlin",
    lines=(
        documents.LabelLine(title="Wireless headphones", sku="HP-100", quantity=2, reason="Defective or does not work"),
        documents.LabelLine(title="Charging cable", sku="CB-7", quantity=1, reason="Changed my mind"),
    ),
    qr_payload=qr.sign(code=CODE, seller="S-Ä", exp=int(SHIP_BY.timestamp()), private_key=PRIVATE),
)
A6 = (297.6, 419.5)
A4 = (595.3, 841.9)


@pytest.fixture(scope="module")
def label_pdf() -> bytes:
    return documents.label_pdf(LABEL)


@pytest.fixture(scope="module")
def slip_pdf() -> bytes:
    return documents.packing_slip_pdf(LABEL)


@pytest.mark.parametrize("dpi", [300, 150])
def test_the_labels_barcodes_scan_to_the_code_and_a_payload_that_verifies(label_pdf: bytes, dpi: int) -> None:
    found = decoded(page_image(label_pdf, dpi=dpi))

    assert found["Code128"] == [CODE]
    [payload] = found["QRCode"]
    assert payload.split(".")[1] == CODE
    assert qr.verify(payload, public_keys=PUBLIC_KEYS, now=SHIP_BY) == qr.QrPayload(
        code=CODE, seller="S-Ä", exp=1_905_249_630, kid=next(iter(PUBLIC_KEYS))
    )


@pytest.mark.parametrize("dpi", [300, 150])
def test_the_slips_code_128_scans_to_the_code(slip_pdf: bytes, dpi: int) -> None:
    assert decoded(page_image(slip_pdf, dpi=dpi, top_fraction=0.35)) == {"Code128": [CODE]}


def test_the_label_is_a6_and_says_where_what_and_by_when(label_pdf: bytes) -> None:
    assert tuple(round(side, 1) for side in page_size(label_pdf)) == A6
    assert page_text(label_pdf).split("\r\n") == [
        "Return to Möbel & <Söhne>",
        "K7Q2-XM4D-9T30-6",
        "Ship to",
        "Returns department",
        "Hauptstraße 1",
        "Hof 2",
        "10115 Berlin",
        "DE",
        "Order 1001-77",
        "Hand over by May 17, 2030, 2 p.m. (Europe/Berlin)",
        "Qty SKU Item",
        "2 HP-100 Wireless headphones",
        "1 CB-7 Charging cable",
    ]


def test_the_slip_is_a4_with_each_line_its_reason_and_how_to_pack(slip_pdf: bytes) -> None:
    assert tuple(round(side, 1) for side in page_size(slip_pdf)) == A4
    assert page_text(slip_pdf).split("\r\n") == [
        "Packing slip",
        "K7Q2-XM4D-9T30-6",
        "Order 1001-77 from Möbel & <Söhne>",
        "Hand over by May 17, 2030, 2 p.m. (Europe/Berlin)",
        "In this parcel",
        "Item SKU Qty Reason",
        "Wireless headphones HP-100 2 Defective or does not work",
        "Charging cable CB-7 1 Changed my mind",
        "How to pack",
        *(f"{number} {text}" for number, text in enumerate(documents.PACKING_INSTRUCTIONS, start=1)),
    ]


def test_a_label_with_more_lines_than_fit_sends_the_reader_to_the_slip() -> None:
    many = tuple(documents.LabelLine(title=f"Item {n}", sku=f"S{n}", quantity=1, reason="Other") for n in range(30))

    rows = page_text(documents.label_pdf(replace(LABEL, lines=many))).split("\r\n")

    assert rows[rows.index("Qty SKU Item") + 1 :] == [
        *(f"1 S{n} Item {n}" for n in range(12)),
        "and 18 more items: see the packing slip",
    ]


def test_the_slip_words_reasons_as_the_pages_do() -> None:
    assert {key: str(words) for key, words in documents.REASON.items()} == {
        key: str(words) for key, words in REASON.items()
    }


def test_names_in_other_scripts_are_printed_not_boxes() -> None:
    # Chinese in Droid Sans Fallback, Cyrillic and Greek in DejaVu Sans: the text a PDF reader
    # extracts is the text drawn, and the Code 128 still scans.
    line = documents.LabelLine(title="台灯 Лампа λάμπα", sku="ЖЛ-1", quantity=1, reason="其他")
    label = replace(LABEL, seller_name="深圳灯具有限公司", order_number="订单-7", lines=(line,))

    label_text, slip_text = page_text(documents.label_pdf(label)), page_text(documents.packing_slip_pdf(label))

    for text in ("Return to 深圳灯具有限公司", "Order 订单-7", "1 ЖЛ-1 台灯 Лампа λάμπα"):
        assert text in label_text
    assert "Order 订单-7 from 深圳灯具有限公司" in slip_text
    assert "台灯 Лампа λάμπα ЖЛ-1 1 其他" in slip_text
    assert decoded(page_image(documents.label_pdf(label), dpi=150))["Code128"] == [LABEL.code]
    # The text layer names the characters whatever draws them: each is drawn by a font that has it.
    for text in ("深圳灯具有限公司", line.title, line.sku, line.reason):
        for bold in (False, True):
            for font, part in documents._runs(text, bold=bold):
                assert all(ord(char) in getFont(font).face.charToGlyph for char in part), (font, part)
