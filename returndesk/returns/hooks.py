"""What higher apps do inside the returns' own transactions.

``returns`` never imports an app above it, yet two of its moments belong to the refund ledger
too: a return that opens may be kept at once (the buyer keeps a cheap item and is refunded), and
a return that leaves requested or inspected withdraws the partial-refund offer open on it. The
higher app registers a hook in its ``AppConfig.ready()``; the returns' services call the hooks in
the transaction of the change, holding the return's row lock, so the change and what the hook
writes commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from returndesk.core.actors import Actor
    from returndesk.returns.domain.lifecycle import Action, Status
    from returndesk.returns.models import Return

# Called once a return kept at request is written (``opening.keeps_at_request``): the hook keeps
# it (refunds it without a parcel) and answers the return as it then is.
KeepHook = Callable[["Return", datetime], "Return"]
# Called when ``action`` by ``actor`` moves ``ret`` out of requested or inspected while an offer
# is open (``lifecycle.offer_withdrawn``): the hook withdraws the offer and answers what the
# action's event records of it, under ``data[name]``.
WithdrawHook = Callable[["Return", "Actor", "Action", "Status", datetime], dict[str, Any]]

_KEEP_HOOKS: list[KeepHook] = []
_WITHDRAW_HOOKS: list[WithdrawHook] = []


def return_kept_hook_register(hook: KeepHook) -> None:
    """Keep a return at request with ``hook``, from now on."""
    _KEEP_HOOKS.append(hook)


def return_offer_withdrawn_hook_register(hook: WithdrawHook) -> None:
    """Withdraw a return's open offer with ``hook`` when the return leaves the offer's status."""
    _WITHDRAW_HOOKS.append(hook)


def return_kept_hooks() -> tuple[KeepHook, ...]:
    return tuple(_KEEP_HOOKS)


def return_offer_withdrawn_hooks() -> tuple[WithdrawHook, ...]:
    return tuple(_WITHDRAW_HOOKS)
