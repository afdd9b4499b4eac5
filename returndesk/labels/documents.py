"""Drawing a return's label (A6) and packing slip (A4) as PDF, with reportlab; the QR with segno.

Only drawing: what goes on them (``Label``) comes from ``labels.selectors`` and the signed QR
payload from ``labels.services``. Texts are translated in the active language. Sellers' and
items' names come in any script: each character is drawn in the first of the vendored fonts
(``fonts/``) that has it, DejaVu Sans (Latin, Greek, Cyrillic and more) then Droid Sans Fallback
(Chinese, Japanese, Korean). Right-to-left scripts are drawn letter by letter, unshaped.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from returndesk.policies.domain.reasons import Reason

# The same words as the pages' (``portals.common.words.REASON``, which this layer cannot import):
# one msgid, one translation; a test keeps the two in step.
REASON: dict[str, Promise] = {
    Reason.DEFECTIVE: _("Defective or does not work"),
    Reason.NOT_AS_DESCRIBED: _("Not as described"),
    Reason.WRONG_ITEM: _("Wrong item sent"),
    Reason.DAMAGED_IN_TRANSIT: _("Damaged in delivery"),
    Reason.MISSING_PARTS: _("Parts or accessories missing"),
    Reason.SIZE_FIT: _("Size or fit"),
    Reason.CHANGED_MIND: _("Changed my mind"),
    Reason.OTHER: _("Other"),
}

# On the packing slip and the buyer's return page alike.
PACKING_INSTRUCTIONS: tuple[Promise, ...] = (
    _("Pack the items with everything they came with: accessories, manuals and tags."),
    _("Put the packing slip inside the parcel."),
    _("Stick the label flat on the outside of the parcel, its barcode and QR code uncovered."),
    _("Hand the parcel over at a drop-off point by the ship-by date and keep the receipt."),
)

FONTS = Path(__file__).parent / "fonts"
# Each weight's fonts, in the order a character tries them (a character none has takes the first).
FACES: dict[bool, tuple[tuple[str, str], ...]] = {
    False: (("returndesk-sans", "DejaVuSans.ttf"), ("returndesk-cjk", "DroidSansFallbackFull.ttf")),
    True: (("returndesk-sans-bold", "DejaVuSans-Bold.ttf"), ("returndesk-cjk", "DroidSansFallbackFull.ttf")),
}
# Code 128 module (narrowest bar) width, at most: wider bars scan better, and 1 pt is still two
# pixels at 150 dpi.
BAR_WIDTH_MAX = 1.4
BAR_HEIGHT = 46
QR_BORDER = 4  # modules of quiet zone, as ISO/IEC 18004 asks


@dataclass(frozen=True, slots=True)
class LabelLine:
    title: str
    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Label:
    """What a return's label and packing slip show."""

    code: str
    code_display: str
    seller: str  # the seller's external id, as the QR names it
    seller_name: str
    return_address: dict[str, object]
    order_number: str
    ship_by: datetime
    time_zone: str  # the buyer's: the label is theirs to print
    lines: tuple[LabelLine, ...]
    qr_payload: str = ""  # signed by ``labels.services``; only the label needs it


def ship_by_words(label: Label) -> str:
    """``ship_by`` in the buyer's time zone, naming it."""
    local = timezone.localtime(label.ship_by, ZoneInfo(label.time_zone))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({label.time_zone})"


def address_lines(address: dict[str, object]) -> list[str]:
    """A return address (``marketplace``'s AddressIn shape) as the lines of an envelope."""
    lines = address.get("lines")
    place = " ".join(str(part) for part in (address.get("postal_code"), address.get("city")) if part)
    return [
        str(part)
        for part in (address.get("name"), *(lines if isinstance(lines, list) else []), place, address.get("country"))
        if part
    ]


def _code128(value: str, width: float) -> Code128:
    """The code as Code 128, its bars as wide as fit in ``width`` (quiet zones included)."""
    unit = Code128(value, barWidth=1, barHeight=BAR_HEIGHT, humanReadable=False)
    return Code128(value, barWidth=min(BAR_WIDTH_MAX, width / unit.width), barHeight=BAR_HEIGHT, humanReadable=False)


@functools.cache
def _font(name: str, file: str) -> TTFont:
    """A vendored font, read and registered with reportlab once per process (embedded as a subset)."""
    font = TTFont(name, FONTS / file)
    registerFont(font)
    return font


def _runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """``text`` as (font name, text) runs: each character in the first font of ``FACES`` that has it."""
    fonts = [_font(name, file) for name, file in FACES[bold]]
    found: list[tuple[str, str]] = []
    for char in text:
        font = next((font for font in fonts if ord(char) in font.face.charToGlyph), fonts[0]).fontName
        if found and found[-1][0] == font:
            found[-1] = (font, found[-1][1] + char)
        else:
            found.append((font, char))
    return found


def _width(text: str, size: float, *, bold: bool = False) -> float:
    return float(sum(stringWidth(part, font, size) for font, part in _runs(text, bold=bold)))


def _draw(canvas: Canvas, x: float, y: float, text: str, size: float, *, bold: bool = False) -> None:
    """``text`` from (x, y), run by run in the fonts that have its characters."""
    for font, part in _runs(text, bold=bold):
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)
        x += stringWidth(part, font, size)


def _markup(text: str, *, bold: bool = False) -> str:
    """``text`` as a Paragraph's markup, run by run in the fonts that have its characters."""
    return "".join(f'<font face="{font}">{escape(part)}</font>' for font, part in _runs(text, bold=bold))


def _fitted(text: str, size: float, width: float, *, bold: bool = False) -> str:
    """``text`` cut (with an ellipsis) to ``width`` points."""
    if _width(text, size, bold=bold) <= width:
        return text
    while text and _width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text + "…"


def _draw_qr(canvas: Canvas, payload: str, *, x: float, y: float, size: float) -> None:
    """The QR of ``payload`` as a ``size``-point square (quiet zone included) at (x, y), its lower
    left corner: one rectangle per run of dark modules."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    rows = [list(row) for row in qr.matrix]
    module = size / (len(rows) + 2 * QR_BORDER)
    canvas.setFillColor(colors.black)
    for index, row in enumerate(rows):
        top = y + size - (QR_BORDER + index + 1) * module
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                canvas.rect(x + (QR_BORDER + start) * module, top, (column - start) * module, module, stroke=0, fill=1)
                start = None


def _draw_heading(canvas: Canvas, label: Label, *, top: float, margin: float) -> float:
    """Who the parcel goes back to, the code large and its Code 128; answers the y below them."""
    page_width = canvas._pagesize[0]
    width = page_width - 2 * margin
    seller = gettext("Return to %(seller)s") % {"seller": label.seller_name}
    _draw(canvas, margin, top - 8, _fitted(seller, 8, width), 8)
    size = min(26.0, 26 * width / _width(label.code_display, 26, bold=True))
    top -= 10 + size
    centred = (page_width - _width(label.code_display, size, bold=True)) / 2
    _draw(canvas, centred, top, label.code_display, size, bold=True)
    barcode = _code128(label.code, width)
    top -= 6 + barcode.height
    barcode.drawOn(canvas, (page_width - barcode.width) / 2, top)
    return top


def _draw_destination(canvas: Canvas, label: Label, *, top: float, margin: float) -> float:
    """The QR beside the return address, then the order and the ship-by date."""
    page_width = canvas._pagesize[0]
    qr_size = 44 * mm
    top -= 4 + qr_size
    # The QR's own quiet zone stands in for part of the page margin.
    _draw_qr(canvas, label.qr_payload, x=margin - 2 * mm, y=top, size=qr_size)
    text_x = margin + qr_size
    text_width = page_width - margin - text_x
    line_y = top + qr_size - 14
    _draw(canvas, text_x, line_y, gettext("Ship to"), 9, bold=True)
    for text in address_lines(label.return_address):
        line_y -= 11
        _draw(canvas, text_x, line_y, _fitted(text, 9, text_width), 9)
    width = page_width - 2 * margin
    top -= 12
    order = gettext("Order %(number)s") % {"number": label.order_number}
    _draw(canvas, margin, top, _fitted(order, 9, width), 9)
    top -= 12
    ship_by = gettext("Hand over by %(when)s") % {"when": ship_by_words(label)}
    _draw(canvas, margin, top, _fitted(ship_by, 9, width, bold=True), 9, bold=True)
    return top


def _draw_lines(canvas: Canvas, label: Label, *, top: float, margin: float) -> None:
    """Quantity, SKU and title of each line, as many as fit; the packing slip has them all."""
    width = canvas._pagesize[0] - 2 * margin
    quantity_width, sku_width = 22.0, 70.0
    top -= 16
    _draw(canvas, margin, top, gettext("Qty"), 8, bold=True)
    _draw(canvas, margin + quantity_width, top, gettext("SKU"), 8, bold=True)
    _draw(canvas, margin + quantity_width + sku_width, top, gettext("Item"), 8, bold=True)
    rows_left = int((top - margin) // 10)
    shown = label.lines if len(label.lines) <= rows_left else label.lines[: rows_left - 1]
    for line in shown:
        top -= 10
        _draw(canvas, margin, top, str(line.quantity), 8)
        _draw(canvas, margin + quantity_width, top, _fitted(line.sku, 8, sku_width - 4), 8)
        title = _fitted(line.title, 8, width - quantity_width - sku_width)
        _draw(canvas, margin + quantity_width + sku_width, top, title, 8)
    if len(shown) < len(label.lines):
        more = gettext("and %(count)d more items: see the packing slip") % {"count": len(label.lines) - len(shown)}
        _draw(canvas, margin, top - 10, more, 8)


def qr_svg(payload: str, *, title: str) -> SafeString:
    """The QR of ``payload`` as inline SVG markup for a page: a viewBox (the page's CSS sizes it),
    white behind dark modules so it scans on any background, ``title`` as its accessible name."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    svg = qr.svg_inline(scale=1, border=QR_BORDER, light="#fff", title=title, svgclass="label-qr", omitsize=True)
    # segno escapes the title; the rest is its own path data.
    return mark_safe(svg)  # noqa: S308


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF to download; never kept by a shared cache (it shows an address)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def label_filename(label: Label, kind: str) -> str:
    return f"return-{label.code}-{kind}.pdf"


def label_pdf(label: Label) -> bytes:
    """The A6 label: the code large, its Code 128, the QR, where the parcel goes, the order, what
    is in it and the ship-by date."""
    assert label.qr_payload, "a label's QR is signed by labels.services first"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    canvas.setTitle(gettext("Return label %(code)s") % {"code": label.code_display})
    canvas.setAuthor("returndesk")
    margin = 6 * mm
    top = _draw_heading(canvas, label, top=A6[1] - margin, margin=margin)
    top = _draw_destination(canvas, label, top=top, margin=margin)
    _draw_lines(canvas, label, top=top, margin=margin)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _paragraphs(texts: Sequence[str], style: ParagraphStyle, *, bold: bool = False) -> list[Paragraph]:
    return [Paragraph(_markup(text, bold=bold), style) for text in texts]


def packing_slip_pdf(label: Label) -> bytes:
    """The A4 packing slip: the code and its Code 128, the order, each line with its reason, and
    how to pack."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading2"]
    code_style = ParagraphStyle("code", parent=styles["Title"], fontSize=30, leading=36)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=gettext("Packing slip %(code)s") % {"code": label.code_display},
        author="returndesk",
        pageCompression=1,
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11)
    barcode = _code128(label.code, A4[0] - 36 * mm)
    barcode.hAlign = "CENTER"
    table = Table(
        [
            _paragraphs([gettext("Item"), gettext("SKU"), gettext("Qty"), gettext("Reason")], cell, bold=True),
            *(_paragraphs([line.title, line.sku, str(line.quantity), line.reason], cell) for line in label.lines),
        ],
        # DejaVu Sans is a tenth wider than Helvetica: the longest reason keeps to one line.
        colWidths=[74 * mm, 33 * mm, 14 * mm, 53 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(_markup(gettext("Packing slip"), bold=True), styles["Heading1"]),
        Paragraph(_markup(label.code_display, bold=True), code_style),
        barcode,
        Spacer(1, 6 * mm),
        *_paragraphs(
            [
                gettext("Order %(number)s from %(seller)s")
                % {"number": label.order_number, "seller": label.seller_name},
                gettext("Hand over by %(when)s") % {"when": ship_by_words(label)},
            ],
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(_markup(gettext("In this parcel"), bold=True), heading),
        table,
        Spacer(1, 4 * mm),
        Paragraph(_markup(gettext("How to pack"), bold=True), heading),
        ListFlowable(
            [ListItem(Paragraph(_markup(str(text)), body)) for text in PACKING_INSTRUCTIONS],
            bulletType="1",
        ),
    ]
    document.build(story)
    return buffer.getvalue()
