"""Exchanges: an inspected return resolved by sending other goods instead of money.

An exchange names a variant for every line accepted at inspection: the buyer gets that variant
instead of the returned units. When each variant is the line's own, the buyer gets the same item
again (``replacement``); otherwise ``exchange``. No money moves, so the return goes straight to
``resolved``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from returndesk.core.actors import Actor
from returndesk.policies.selectors import policy_version_get
from returndesk.refunds.errors import ExchangeIncomplete, LineNotAccepted
from returndesk.returns.domain.lifecycle import Action, LineOutcome, Resolution
from returndesk.returns.errors import DuplicateLine, ExchangeNotAllowed, LineNotInReturn
from returndesk.returns.models import Return
from returndesk.returns.services import return_transition


@dataclass(frozen=True)
class ExchangeLine:
    line: str  # the order line's external id
    variant_id: str  # what the buyer gets for it


def exchange_resolution(own: Sequence[tuple[str, str]]) -> Resolution:
    """``replacement`` when every (own variant, given variant) pair is the same, else ``exchange``."""
    return Resolution.REPLACEMENT if all(mine == given for mine, given in own) else Resolution.EXCHANGE


def return_exchange(*, code: str, actor: Actor, lines: Sequence[ExchangeLine], now: datetime | None = None) -> Return:
    """Resolve an inspected return by exchange or replacement: each accepted line gets the
    variant named for it (stored as the line's ``exchange_variant_id``).

    422 ``exchange_not_allowed`` under a policy version without exchanges, ``exchange_incomplete``
    when an accepted line has no variant, ``line_not_in_return``, ``duplicate_line``; 409
    ``line_not_accepted`` for a line rejected at inspection, ``invalid_transition`` from any
    status but inspected.
    """
    given = {line.line: line.variant_id for line in lines}
    if len(given) != len(lines):
        raise DuplicateLine("Name each line once, with the variant the buyer gets for it.")

    def exchange(ret: Return, _at: datetime) -> None:
        # The policy the return opened under decides, as it decided the buyer's preference.
        if not policy_version_get(version=ret.policy_id).policy.exchanges:
            raise ExchangeNotAllowed("The return's policy offers no exchanges or replacements: refund it instead.")
        by_line = {line.order_line.external_id: line for line in ret.lines.all()}
        unknown = sorted(set(given) - set(by_line))
        if unknown:
            raise LineNotInReturn(f"The return has no line {unknown[0]!r}.")
        rejected = sorted(name for name in given if by_line[name].outcome == LineOutcome.REJECTED)
        if rejected:
            raise LineNotAccepted(f"Line {rejected[0]!r} was rejected at inspection: nothing goes back for it.")
        accepted = [name for name, line in by_line.items() if line.outcome == LineOutcome.ACCEPTED]
        if not accepted:
            raise LineNotAccepted("No line was accepted at inspection: there is nothing to exchange.")
        missing = [name for name in accepted if name not in given]
        if missing:
            raise ExchangeIncomplete(f"Line {missing[0]!r} needs the variant the buyer gets instead.")
        for name in accepted:
            line = by_line[name]
            line.exchange_variant_id = given[name]
            line.save(update_fields=["exchange_variant_id"])
        ret.resolution = exchange_resolution([(by_line[name].order_line.variant_id, given[name]) for name in accepted])

    data: dict[str, Any] = {"lines": [{"line": line.line, "variant_id": line.variant_id} for line in lines]}
    return return_transition(code=code, actor=actor, action=Action.EXCHANGE, now=now, apply=exchange, data=data)
