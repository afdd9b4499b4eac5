"""Why a return cannot be opened or moved. Pure Python: the domain raises these too."""

from returndesk.core.errors import Conflict, NotFound, RateLimited, Unprocessable


class ReturnNotFound(NotFound):
    code, title = "not_found", "No return with this code is visible to this key"


class BuyerOrderNotFound(NotFound):
    code, title = "not_found", "You have no order with this id"


class QuantityExceeded(Unprocessable):
    code, title = "quantity_exceeded", "More units than were bought and are not already being returned"


class LineNotInOrder(Unprocessable):
    code, title = "line_not_in_order", "The order has no line with this external id"


class NotDelivered(Unprocessable):
    code, title = "not_delivered", "The item has not been delivered yet"


class WindowClosed(Unprocessable):
    code, title = "window_closed", "The return window for this item has closed"


class FinalSale(Unprocessable):
    code, title = "final_sale", "The item was sold as final sale and cannot be returned"


class DuplicateLine(Unprocessable):
    code, title = "duplicate_line", "A line may appear only once in a return"


class LineNotInReturn(Unprocessable):
    code, title = "line_not_in_return", "The return has no line for this order line"


class InspectionIncomplete(Unprocessable):
    code, title = "inspection_incomplete", "Every line of the return needs an outcome"


class ReasonRequired(Unprocessable):
    code, title = "reason_required", "A reason is required for this action"


class ConditionContradictsOutcome(Unprocessable):
    code, title = "condition_contradicts_outcome", "The line's condition contradicts its outcome"


class ReturnAddressMissing(Conflict):
    code, title = "return_address_missing", "The seller has no return address to send the parcel to"


class BadCheckDigit(Unprocessable):
    """A tracking number of a scheme with a check digit (S10, UPS) whose check digit is wrong;
    ``errors`` names the field and the digit it should be."""

    code, title = "bad_check_digit", "The tracking number's check digit is wrong"


class TrackingMismatch(Conflict):
    code, title = "tracking_mismatch", "The return has another tracking number, or the number is on another return"


class CodeNotNeeded(Conflict):
    """A return past its code's use (handed over, received, ... or cancelled): nobody needs the code
    again. Carries ``return_status``."""

    code, title = "code_not_needed", "Only a requested or approved return's code is sent again"


class TooManyCodeReminders(RateLimited):
    title = "Too many return code reminders"


class ExchangeNotAllowed(Unprocessable):
    code, title = "exchange_not_allowed", "The seller's return policy offers no exchanges or replacements"


class AlreadyReturned(Unprocessable):
    code, title = "already_returned", "Every unit of the item is already in a return"


class NonReturnableCategory(Unprocessable):
    code, title = "non_returnable_category", "The seller takes items of this category back only if faulty or wrong"


class NonReturnableSku(Unprocessable):
    code, title = "non_returnable_sku", "The seller takes this item back only if faulty or wrong"
