"""Why a buyer returns a line, and who is to blame for it. Pure Python.

The reasons live with the policies because the policies' rules (who pays return shipping, what a
final-sale or non-returnable line still accepts, restocking fees) are decided by the group a reason
falls in.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    DEFECTIVE = "defective"
    NOT_AS_DESCRIBED = "not_as_described"
    WRONG_ITEM = "wrong_item"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    MISSING_PARTS = "missing_parts"
    SIZE_FIT = "size_fit"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"


# The seller is at fault: the seller pays return shipping, and final sale or a non-returnable
# category never refuses these.
SELLER_FAULT_REASONS: frozenset[Reason] = frozenset(
    {
        Reason.DEFECTIVE,
        Reason.NOT_AS_DESCRIBED,
        Reason.WRONG_ITEM,
        Reason.MISSING_PARTS,
        Reason.DAMAGED_IN_TRANSIT,
    }
)
# The buyer's choice: the policy says who pays return shipping; restocking fees apply.
BUYER_CHOICE_REASONS: frozenset[Reason] = frozenset(Reason) - SELLER_FAULT_REASONS
