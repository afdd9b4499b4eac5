"""Labels and packing slips as PDF, and the QR keys counters verify labels with."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import Router

from returndesk.core.api import actor_of, errors, respond
from returndesk.core.problems import ProblemOut
from returndesk.labels import documents, selectors, services
from returndesk.labels.documents import Label
from returndesk.labels.domain.qr import ALG, b64url_encode
from returndesk.labels.schemas import PDF, LabelUnavailableOut, QrKeysOut

router = Router(tags=["labels"])

# ninja declares JSON answers; a PDF's 200 is declared by hand.
PDF_ERRORS = {**errors(403, 404), 409: LabelUnavailableOut}


def _pdf_answer(description: str) -> dict[str, object]:
    return {"responses": {200: {"description": description, "content": {"application/pdf": PDF}}}}


def _document(prepare: Callable[[], Label], draw: Callable[[Label], bytes], kind: str) -> HttpResponse:
    label = prepare()
    return documents.pdf_response(draw(label), filename=documents.label_filename(label, kind))


@router.get("/returns/{code}/label.pdf", response=PDF_ERRORS, openapi_extra=_pdf_answer("The A6 return label"))
def label_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The return's A6 label: its code large and as Code 128, a QR signed with the newest QR key
    (``exp``: ``ship_by``), the seller's return address, the order, the lines and ``ship_by``.
    For approved returns only (409 ``label_unavailable`` names the status otherwise)."""
    actor = actor_of(request)
    return _document(lambda: services.label_prepare(code=code, actor=actor), documents.label_pdf, "label")


@router.get("/returns/{code}/packing-slip.pdf", response=PDF_ERRORS, openapi_extra=_pdf_answer("The A4 packing slip"))
def packing_slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The return's A4 packing slip: its code and Code 128, the lines with their reasons, and how
    to pack. For approved returns only, like the label."""
    actor = actor_of(request)
    return _document(lambda: selectors.label_get(code=code, actor=actor), documents.packing_slip_pdf, "packing-slip")


@router.get("/keys/qr", auth=None, response={200: QrKeysOut, 422: ProblemOut})
def qr_keys(request: HttpRequest) -> HttpResponse:
    """The public keys that sign labels' QR codes, newest first, without a key: a counter checks a
    label's QR with them offline. Trust each until its ``not_after``."""
    keys = [
        {"kid": key.kid, "alg": ALG, "public_key": b64url_encode(key.public_key), "not_after": key.not_after}
        for key in selectors.qr_keys_published()
    ]
    return respond(200, QrKeysOut, {"keys": keys})
