"""Drawing a return's label (A6) and packing slip (A4) as PDF, with reportlab; the QR with segno.

Only drawing: what goes on them (``Label``) comes from ``labels.selectors`` and the signed QR
payload from ``labels.services``. Texts are translated in the active language; reportlab's
built-in Helvetica covers Latin-1 (and a few more), so other scripts in a seller's or an item's
name print as boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
from reportlab.pdfbase.pdfmetrics import stringWidth
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

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
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


def _fitted(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
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
    canvas.setFont(FONT, 8)
    seller = gettext("Return to %(seller)s") % {"seller": label.seller_name}
    canvas.drawString(margin, top - 8, _fitted(seller, FONT, 8, width))
    size = min(26.0, 26 * width / stringWidth(label.code_display, BOLD, 26))
    canvas.setFont(BOLD, size)
    top -= 10 + size
    canvas.drawCentredString(page_width / 2, top, label.code_display)
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
    canvas.setFont(BOLD, 9)
    canvas.drawString(text_x, line_y, gettext("Ship to"))
    canvas.setFont(FONT, 9)
    for text in address_lines(label.return_address):
        line_y -= 11
        canvas.drawString(text_x, line_y, _fitted(text, FONT, 9, text_width))
    width = page_width - 2 * margin
    top -= 12
    order = gettext("Order %(number)s") % {"number": label.order_number}
    canvas.drawString(margin, top, _fitted(order, FONT, 9, width))
    top -= 12
    canvas.setFont(BOLD, 9)
    ship_by = gettext("Hand over by %(when)s") % {"when": ship_by_words(label)}
    canvas.drawString(margin, top, _fitted(ship_by, BOLD, 9, width))
    return top


def _draw_lines(canvas: Canvas, label: Label, *, top: float, margin: float) -> None:
    """Quantity, SKU and title of each line, as many as fit; the packing slip has them all."""
    width = canvas._pagesize[0] - 2 * margin
    quantity_width, sku_width = 22.0, 70.0
    top -= 16
    canvas.setFont(BOLD, 8)
    canvas.drawString(margin, top, gettext("Qty"))
    canvas.drawString(margin + quantity_width, top, gettext("SKU"))
    canvas.drawString(margin + quantity_width + sku_width, top, gettext("Item"))
    canvas.setFont(FONT, 8)
    rows_left = int((top - margin) // 10)
    shown = label.lines if len(label.lines) <= rows_left else label.lines[: rows_left - 1]
    for line in shown:
        top -= 10
        canvas.drawString(margin, top, str(line.quantity))
        canvas.drawString(margin + quantity_width, top, _fitted(line.sku, FONT, 8, sku_width - 4))
        title = _fitted(line.title, FONT, 8, width - quantity_width - sku_width)
        canvas.drawString(margin + quantity_width + sku_width, top, title)
    if len(shown) < len(label.lines):
        more = gettext("and %(count)d more items: see the packing slip") % {"count": len(label.lines) - len(shown)}
        canvas.drawString(margin, top - 10, more)


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


def _paragraphs(texts: Sequence[str], style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(escape(text), style) for text in texts]


def packing_slip_pdf(label: Label) -> bytes:
    """The A4 packing slip: the code and its Code 128, the order, each line with its reason, and
    how to pack."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading2"]
    code_style = ParagraphStyle("code", parent=styles["Title"], fontName=BOLD, fontSize=30, leading=36)
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
    header = ParagraphStyle("header", parent=cell, fontName=BOLD)
    barcode = _code128(label.code, A4[0] - 36 * mm)
    barcode.hAlign = "CENTER"
    table = Table(
        [
            _paragraphs([gettext("Item"), gettext("SKU"), gettext("Qty"), gettext("Reason")], header),
            *(_paragraphs([line.title, line.sku, str(line.quantity), line.reason], cell) for line in label.lines),
        ],
        colWidths=[80 * mm, 35 * mm, 14 * mm, 45 * mm],
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
        Paragraph(escape(gettext("Packing slip")), styles["Heading1"]),
        Paragraph(escape(label.code_display), code_style),
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
        Paragraph(escape(gettext("In this parcel")), heading),
        table,
        Spacer(1, 4 * mm),
        Paragraph(escape(gettext("How to pack")), heading),
        ListFlowable(
            [ListItem(Paragraph(escape(str(text)), body)) for text in PACKING_INSTRUCTIONS],
            bulletType="1",
        ),
    ]
    document.build(story)
    return buffer.getvalue()
