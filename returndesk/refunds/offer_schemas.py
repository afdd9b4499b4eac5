"""Request and response bodies of offers and exchanges, and the members offers add to a return's
answer (``offer``, the newest; ``offers``, all of them, oldest first)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from ninja import Schema
from pydantic import AwareDatetime, Field

from returndesk.core import clock, money
from returndesk.core.schemas import Amount, ExternalId, InSchema
from returndesk.core.sql import Rows
from returndesk.refunds.domain.states import OfferState
from returndesk.refunds.exchanges import ExchangeLine
from returndesk.refunds.models import Offer
from returndesk.returns.extensions import AnswerRead, ReturnExtension, own_rows_seed
from returndesk.returns.models import Return

TEXT = 2000


class OfferIn(InSchema):
    amount: Amount = Field(description="What the seller offers to refund, in the order's currency")
    message: str = Field(min_length=1, max_length=TEXT, pattern=r"\S", description="What the buyer reads with it")


class DeclineOfferIn(InSchema):
    reason: str = Field(default="", max_length=TEXT)


class ExchangeLineIn(InSchema):
    line: ExternalId = Field(description="The order line's external id")
    variant_id: ExternalId = Field(description="The variant the buyer gets instead (the line's own: a replacement)")


class ExchangeIn(InSchema):
    lines: list[ExchangeLineIn] = Field(min_length=1, max_length=500, description="Every accepted line, once")

    def exchange_lines(self) -> list[ExchangeLine]:
        return [ExchangeLine(line=line.line, variant_id=line.variant_id) for line in self.lines]


class OfferOut(Schema):
    id: int
    amount: str
    currency: str
    message: str
    state: OfferState = Field(description="An open offer past its expiry shows lapsed, whether recorded yet or not")
    made_at: AwareDatetime
    expires_at: AwareDatetime
    answered_at: AwareDatetime | None

    @staticmethod
    def resolve_amount(offer: Offer) -> str:
        return money.format_amount(Decimal(offer.amount), offer.currency)

    @staticmethod
    def resolve_state(offer: Offer) -> OfferState:
        # Nobody may accept it any more (the lifecycle refuses): say so before the sweep records it.
        if offer.state == OfferState.OPEN and clock.now() >= offer.expires_at:
            return OfferState.LAPSED
        return OfferState(offer.state)


# Read once for both members.
OFFERS_ATTR = "offers_made"


def _offers_of(ret: Return) -> list[Offer]:
    return list(getattr(ret, OFFERS_ATTR))


def _newest_offer(ret: Return) -> Offer | None:
    offers = getattr(ret, OFFERS_ATTR)
    return offers[-1] if offers else None


# The prefetch below in plain SQL, for the answer about one return (``returns.extensions.AnswerRead``).
_OFFERS = Rows(
    models=((Offer, "o"),),
    source="FROM {} o WHERE o.return_request_id = %s",
    tables=(Offer,),
    order=("o.made_at", "o.id"),
)


OFFER_EXTENSIONS = (
    ReturnExtension(
        name="offers",
        schema=list[OfferOut],
        resolve=_offers_of,
        prefetch=(Prefetch("offers", queryset=Offer.objects.order_by("made_at", "id"), to_attr=OFFERS_ATTR),),
        answer_read=AnswerRead(queries=(_OFFERS,), seed=own_rows_seed(OFFERS_ATTR, to_attr=True)),
    ),
    # Reads what ``offers`` prefetched: no query of its own.
    ReturnExtension(name="offer", schema=OfferOut | None, resolve=_newest_offer),
)
