"""Sign-in links the platform hands to a buyer, optionally landing on one of their returns.

Here rather than in ``accounts``: checking that the return is the buyer's reads returns, which
sit above accounts. The link itself is the accounts' kind (``accounts.services``).
"""

from __future__ import annotations

from datetime import datetime

from returndesk.accounts import services as accounts
from returndesk.accounts.errors import BuyerNotFound
from returndesk.marketplace.models import Buyer
from returndesk.returns.domain import codes
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return


def portal_link_create(
    *,
    buyer_external_id: str,
    origin: str,
    return_code: str | None = None,
    expires_in: int = accounts.PORTAL_LINK_SECONDS_DEFAULT,
) -> tuple[str, datetime]:
    """A one-time sign-in link for a buyer, (url, expires_at): 404 ``not_found`` for an unknown
    buyer or a return that is not theirs (alike, whether or not it exists)."""
    buyer = Buyer.objects.filter(external_id=buyer_external_id).first()
    if buyer is None:
        raise BuyerNotFound(f"No buyer has the external id {buyer_external_id!r}.")
    code = ""
    if return_code is not None:
        code = codes.normalise(return_code)
        if not Return.objects.filter(code=code, buyer=buyer).exists():
            raise ReturnNotFound(f"Buyer {buyer_external_id!r} has no return {return_code!r}.")
    return accounts.portal_link_create(buyer=buyer, origin=origin, return_code=code, expires_in=expires_in)
