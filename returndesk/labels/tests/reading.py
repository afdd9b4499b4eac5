"""Reading labels back as a scanner would: PDFs rendered with pypdfium2, barcodes decoded with
zxing-cpp. Shared by the labels tests and the buyer's browser test."""

from __future__ import annotations

import pypdfium2
import zxingcpp
from PIL import Image

POINTS_PER_INCH = 72


def page_image(pdf: bytes, *, dpi: int, top_fraction: float = 1.0) -> Image.Image:
    """The first page at ``dpi``, only its top ``top_fraction`` (decoding a whole A4 page at
    300 dpi costs half a second; the slip's barcode is in its top third)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        height = page.get_height()
        image = page.render(scale=dpi / POINTS_PER_INCH, crop=(0, height * (1 - top_fraction), 0, 0)).to_pil()
        page.close()
        return image
    finally:
        document.close()


def page_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        text_page = page.get_textpage()
        text = text_page.get_text_range()
        text_page.close()
        page.close()
        return text
    finally:
        document.close()


def page_size(pdf: bytes) -> tuple[float, float]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document.get_page_size(0)
    finally:
        document.close()


def decoded(image: Image.Image) -> dict[str, list[str]]:
    """Every barcode zxing-cpp finds, its texts by format name (``Code128``, ``QRCode``)."""
    found: dict[str, list[str]] = {}
    for result in zxingcpp.read_barcodes(image):
        found.setdefault(result.format.name, []).append(result.text)
    return found
