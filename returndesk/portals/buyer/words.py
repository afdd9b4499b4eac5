"""Words the buyer's pages use beside the shared ones (``portals.common.words``): what comes next
for a return in each status, and each deadline as a sentence addressed to the buyer."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from returndesk.policies.domain.advice import Suggestion
from returndesk.returns.domain.lifecycle import DueAction, Status
from returndesk.returns.domain.requests import PreferredResolution

NEXT_STEP: Mapping[str, Promise] = {
    Status.REQUESTED: _("The seller decides whether to approve your return."),
    Status.APPROVED: _(
        "Write the code on the parcel (or show it at the counter) and hand the parcel over at a drop-off point."
    ),
    Status.REJECTED: _("The seller rejected your return."),
    Status.CANCELLED: _("This return is cancelled. Its items can be returned again while their return window is open."),
    Status.EXPIRED: _("The parcel was not handed over in time: the code is no longer accepted."),
    Status.IN_TRANSIT: _("The parcel is on its way to the seller."),
    Status.RECEIVED: _("The seller has received the parcel and inspects the items next."),
    Status.INSPECTED: _("The seller has inspected the items; the refund comes next."),
    Status.REFUNDING: _("Your refund is on its way."),
    Status.DISPUTED: _("Customer service is deciding on this return."),
    Status.RESOLVED: _("This return is resolved."),
    Status.CLOSED: _("This return is closed."),
}

# ``%(when)s`` is the deadline in the buyer's time zone, in words.
DEADLINE: Mapping[str, Promise] = {
    DueAction.APPROVE: _("If the seller has not answered by %(when)s, your return is approved automatically."),
    DueAction.EXPIRE: _(
        "Hand the parcel over by %(when)s. After that the code is no longer accepted and the return expires."
    ),
    DueAction.ESCALATE: _("If the parcel has not arrived by %(when)s, customer service takes the return over."),
    DueAction.RECEIVE: _("If the seller has not confirmed receipt by %(when)s, the parcel counts as received."),
    DueAction.INSPECT: _("The seller inspects the items by %(when)s; otherwise every item counts as accepted."),
    DueAction.REFUND: _("The refund is issued by %(when)s at the latest."),
    DueAction.DECLINE_OFFER: _("Answer the seller's offer by %(when)s; after that it lapses."),
    DueAction.CLOSE: _("The return closes on %(when)s."),
    DueAction.SUPERVISE: _("Customer service decides by %(when)s; otherwise a supervisor takes over."),
}

PREFERRED_RESOLUTION: Mapping[str, Promise] = {
    PreferredResolution.REFUND: _("A refund"),
    PreferredResolution.EXCHANGE: _("An exchange for another size or colour"),
    PreferredResolution.REPLACEMENT: _("A replacement of the same item"),
    PreferredResolution.KEEP_ITEM: _("Keep the item for a partial refund"),
}

# The advice's suggestion as a heading above its sentence.
SUGGESTION: Mapping[str, Promise] = {
    Suggestion.KEEP_ITEM: _("Consider keeping the item"),
    Suggestion.NOT_WORTH_RETURNING: _("Returning would refund nothing"),
    Suggestion.SHIP: _("Send the items back"),
}
