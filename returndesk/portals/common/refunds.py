"""A return's money as the portals show it: each refund's breakdown, its transactions with their
expected arrival and the buttons the portal offers on each, the newest offer, what was refunded and
by when it reaches the buyer.

Everything here reads what ``return_get_for_actor`` loaded (the refunds, their lines and
transactions, the offers: the refunds app's extension prefetches them), so a page costs the same
number of queries whatever the number of refunds. Amounts are shown as the API writes them, with
the currency: "19.00 EUR". Dates that concern the buyer are buyer-local days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext

from returndesk.core import money
from returndesk.portals.common import words
from returndesk.refunds import supervision
from returndesk.refunds.domain.arrival import ExpectedArrival
from returndesk.refunds.domain.states import LIVE, OfferState, TransactionStatus, refund_status
from returndesk.refunds.offer_schemas import OFFERS_ATTR

# The rows the selectors read (a return, its refunds with their transactions, its offers): pages
# never import models, so these only name what a page reads.
ReturnRow = Any
RefundRow = Any
TransactionModel = Any
OfferRow = Any


def amount_words(amount: Decimal, currency: str) -> str:
    """An amount as the API writes it, with its currency: "19.00 EUR"."""
    return f"{money.format_amount(amount, currency)} {currency}"


def local_words(moment: datetime, time_zone: str) -> str:
    """``moment`` in words in ``time_zone``, naming it: "March 20, 2026, 1 p.m. (Europe/Madrid)"."""
    return f"{formats.date_format(timezone.localtime(moment, ZoneInfo(time_zone)), 'DATETIME_FORMAT')} ({time_zone})"


def day_words(day: date) -> str:
    """A day as people read it: "9 March 2026"."""
    return formats.date_format(day, "j F Y")


@dataclass(frozen=True)
class Arrival:
    earliest: date
    latest: date
    provisional: bool
    words: str


def arrival_words(arrival: ExpectedArrival) -> str:
    """ "Expected between 9 and 30 March 2026", marked as an estimate while the refund is pending."""
    if (arrival.earliest.year, arrival.earliest.month) == (arrival.latest.year, arrival.latest.month):
        earliest = formats.date_format(arrival.earliest, "j")
    elif arrival.earliest.year == arrival.latest.year:
        earliest = formats.date_format(arrival.earliest, "j F")
    else:
        earliest = day_words(arrival.earliest)
    latest = day_words(arrival.latest)
    if arrival.earliest == arrival.latest:
        sentence = gettext("Expected on %(day)s") % {"day": latest}
    else:
        sentence = gettext("Expected between %(earliest)s and %(latest)s") % {"earliest": earliest, "latest": latest}
    if arrival.provisional:
        return gettext("%(sentence)s (an estimate until the payment goes through).") % {"sentence": sentence}
    return f"{sentence}."


def transaction_arrival(transaction: TransactionModel, ret: ReturnRow) -> Arrival | None:
    """When the money of a pending or succeeded transaction reaches the buyer, as the API's
    ``expected_arrival`` says; None for money not on its way (held, failed, cancelled)."""
    found = supervision.transaction_expected_arrival(transaction, ret.buyer)
    if found is None:
        return None
    return Arrival(found.earliest, found.latest, found.provisional, arrival_words(found))


@dataclass(frozen=True)
class FormButton:
    """A button the portal offers on a transaction: ``name`` (confirm, retry, release, cancel) and
    the form's action."""

    name: str
    path: str


# Which buttons a portal offers on a transaction (none for the buyer's).
Buttons = Callable[[TransactionModel], Sequence[FormButton]]


def no_buttons(transaction: TransactionModel) -> Sequence[FormButton]:
    return ()


@dataclass(frozen=True)
class TransactionRow:
    transaction: TransactionModel
    amount: str
    method: str
    arrival: Arrival | None
    forms: Sequence[FormButton]


@dataclass(frozen=True)
class LineRow:
    external_id: str
    title: str
    paid_share: str
    restocking_fee: str
    return_shipping_fee: str
    amount: str


@dataclass(frozen=True)
class RefundPanel:
    refund: RefundRow
    status: str
    total: str
    shipping_amount: str
    lines: list[LineRow]
    transactions: list[TransactionRow]


def refund_panel(refund: RefundRow, ret: ReturnRow, buttons: Buttons = no_buttons) -> RefundPanel:
    currency = refund.currency
    titles = {line.pk: line.order_line for line in ret.lines.all()}
    transactions = list(refund.transactions.all())
    return RefundPanel(
        refund=refund,
        status=refund_status([TransactionStatus(row.status) for row in transactions]),
        total=amount_words(refund.total, currency),
        shipping_amount=amount_words(refund.shipping_amount, currency),
        lines=[
            LineRow(
                external_id=titles[line.return_line_id].external_id,
                title=titles[line.return_line_id].title,
                paid_share=amount_words(line.paid_share, currency),
                restocking_fee=amount_words(line.restocking_fee, currency),
                return_shipping_fee=amount_words(line.return_shipping_fee, currency),
                amount=amount_words(line.amount, currency),
            )
            for line in refund.lines.all()
        ],
        transactions=[
            TransactionRow(
                transaction=row,
                amount=amount_words(row.amount, currency),
                method=words.payment_method(row.payment.method),
                arrival=transaction_arrival(row, ret),
                forms=buttons(row),
            )
            for row in transactions
        ],
    )


@dataclass(frozen=True)
class OfferPanel:
    offer: OfferRow
    # ``lapsed`` once past its expiry even before the clock records it: it can no longer be accepted.
    state: str
    state_words: str
    amount: str
    expires: str


def offer_panel(offer: OfferRow, *, time_zone: str, now: datetime) -> OfferPanel:
    state = OfferState.LAPSED if offer.state == OfferState.OPEN and now >= offer.expires_at else offer.state
    return OfferPanel(
        offer=offer,
        state=state,
        state_words=words.word(state, "offer_state"),
        amount=amount_words(offer.amount, offer.currency),
        expires=local_words(offer.expires_at, time_zone),
    )


@dataclass(frozen=True)
class MoneyPanel:
    refunds: list[RefundPanel]
    offer: OfferPanel | None
    refunded_total: str
    # The buyer-local day the last of the money should arrive by; empty while none is on its way.
    expected_by: str
    overdue: bool


def money_panel(ret: ReturnRow, *, now: datetime, time_zone: str, buttons: Buttons = no_buttons) -> MoneyPanel:
    """``ret``'s refunds (oldest first), newest offer, total refunded by live transactions, the day
    the money is expected by and whether it is overdue."""
    refunds = [refund_panel(refund, ret, buttons) for refund in ret.refunds.all()]
    # The offers the return's answer prefetched for its ``offers`` member, oldest first.
    offers: list[OfferRow] = list(getattr(ret, OFFERS_ATTR))
    newest = offers[-1] if offers else None
    live = [row for panel in refunds for row in panel.transactions if row.transaction.status in LIVE]
    latest = max((row.arrival.latest for row in live if row.arrival is not None), default=None)
    currency = ret.order.currency
    return MoneyPanel(
        refunds=refunds,
        offer=offer_panel(newest, time_zone=time_zone, now=now) if newest is not None else None,
        refunded_total=amount_words(sum((row.transaction.amount for row in live), Decimal(0)), currency),
        expected_by=day_words(latest) if latest is not None else "",
        overdue=supervision.return_refund_overdue(ret, now),
    )
