"""The marketplace's refusals. Pure Python, like ``core.errors``: the pure domain raises them too."""

from __future__ import annotations

from collections.abc import Sequence

from returndesk.core.errors import Conflict, NotFound, Unprocessable

# Where the order import's body sits in a ``loc``, as in the API's validation errors.
BODY_LOC: tuple[str, ...] = ("body", "payload")


class OrderConflict(Conflict):
    code, title = "order_conflict", "The re-imported order contradicts what its returns rely on"


class OrderNotFound(NotFound):
    code, title = "order_not_found", "No order with this external id is visible to this key"


class ImplausibleDate(Unprocessable):
    """Dates no real order has: in the future, or a delivery before the order was placed.

    One ``errors`` item per field, its ``loc`` the field's path in the import body; the detail
    is every item's sentence.
    """

    code, title = "implausible_date", "A date in the order cannot be right"

    def __init__(self, problems: Sequence[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__(
            " ".join(sentence for _, sentence in problems),
            errors=[{"loc": [*BODY_LOC, *field], "msg": sentence, "type": self.code} for field, sentence in problems],
        )


class PaymentsMismatch(Unprocessable):
    """The payments do not add up to what the lines and the shipping cost; ``expected`` and
    ``paid`` are decimal strings in the currency's decimals."""

    code, title = "payments_mismatch", "The payments do not add up to the order's total"

    def __init__(self, detail: str, *, expected: str, paid: str) -> None:
        super().__init__(detail, extra={"expected": expected, "paid": paid})
