"""What the seller's money forms on a return page show and send: Refund (prefilled with the policy's amounts, each
editable up to what is left of it), Offer a settlement, Keep the item, Exchange; and on each refund's
transactions Confirm the payout (manual gateway) and Retry (failed).

Managers only, by construction: the buttons are ``return_actions``, which the warehouse gate
narrows, and the transaction buttons are drawn for managers only; a forged POST by warehouse staff
is refused by the service itself (403 ``forbidden_action``), shown as the API words it. Each form
posts to the path the issue names and calls the service the API calls, with the API's request
schema checking the form (the same 422s); a refund's one-time form token is its ``request_key``,
so a double submit makes one refund.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import QueryDict

from returndesk.core import clock, money
from returndesk.core.actors import Actor, StaffRole
from returndesk.portals.buyer.forms import form_token
from returndesk.portals.common.refunds import (
    FormButton,
    MoneyPanel,
    ReturnRow,
    TransactionModel,
    amount_words,
    money_panel,
)
from returndesk.portals.common.words import RefundButton
from returndesk.portals.seller.forms import checked, json_number
from returndesk.refunds import selectors, transactions
from returndesk.refunds.domain.states import Awaiting, TransactionStatus
from returndesk.refunds.offer_schemas import ExchangeIn
from returndesk.refunds.schemas import RefundConfirmIn, RefundIn, RefundRetryIn
from returndesk.returns.domain.lifecycle import Action, LineOutcome

# The lifecycle's money actions this page has a form for, after the return's own.
MONEY_ACTIONS = (Action.REFUND, Action.OFFER, Action.KEEP, Action.EXCHANGE)


def is_manager(actor: Actor) -> bool:
    return actor.staff_role is not StaffRole.SELLER_WAREHOUSE


def seller_buttons(transaction: TransactionModel) -> Sequence[FormButton]:
    """Confirm a manual payout that waits for its confirmation; Retry a failed one."""
    base = f"/seller/refunds/{transaction.refund_id}"
    if transaction.status == TransactionStatus.PENDING and transaction.awaiting == Awaiting.CONFIRMATION:
        return (FormButton(RefundButton.CONFIRM, f"{base}/confirm"),)
    if transaction.status == TransactionStatus.FAILED:
        return (FormButton(RefundButton.RETRY, f"{base}/retry"),)
    return ()


@dataclass(frozen=True)
class PlanRow:
    external_id: str
    title: str
    paid_share: str
    restocking_fee: str
    return_shipping_fee: str
    # The inputs' values: plain decimals, as the form sends them back.
    default: str
    remaining: str


@dataclass(frozen=True)
class PlanPanel:
    currency: str
    rows: list[PlanRow]
    shipping_default: str
    shipping_remaining: str
    total: str
    offer_cap: str


def plan_panel(ret: ReturnRow) -> PlanPanel:
    """The refund form's prefill: what ``refund_create`` pays by default now, line by line, and
    what is left of each cap (``refunds.selectors.refund_plan``)."""
    plan = selectors.refund_plan(ret)
    currency = plan.currency
    lines = {line.pk: line for line in ret.lines.all()}
    # An offer may reach the caps of the lines a refund could cover: those not rejected.
    offer_cap = sum(
        (row.remaining for row in plan.lines if lines[row.return_line].outcome != LineOutcome.REJECTED), Decimal(0)
    )
    return PlanPanel(
        currency=currency,
        rows=[
            PlanRow(
                external_id=row.line,
                title=lines[row.return_line].order_line.title,
                paid_share=amount_words(row.paid_share, currency),
                restocking_fee=amount_words(row.restocking_fee, currency),
                return_shipping_fee=amount_words(row.return_shipping_fee, currency),
                default=money.format_amount(row.default, currency),
                remaining=money.format_amount(row.remaining, currency),
            )
            for row in plan.lines
        ],
        shipping_default=money.format_amount(plan.shipping_default, currency),
        shipping_remaining=money.format_amount(plan.shipping_remaining, currency),
        total=amount_words(plan.total_default, currency),
        offer_cap=amount_words(offer_cap, currency),
    )


def money_context(ret: ReturnRow, actor: Actor, actions: Sequence[Action]) -> dict[str, Any]:
    """What the return page adds for managers: the money panel, the refund plan when Refund or
    Offer is offered, the accepted lines an exchange sends again, a one-time form token."""
    if not is_manager(actor):
        return {}
    context: dict[str, Any] = {
        "money": _money(ret),
        "token": form_token(),
        "exchange_lines": [line for line in ret.lines.all() if line.outcome == LineOutcome.ACCEPTED],
    }
    if Action.REFUND in actions or Action.OFFER in actions:
        context["plan"] = plan_panel(ret)
    return context


def _money(ret: ReturnRow) -> MoneyPanel:
    return money_panel(ret, now=clock.now(), time_zone="UTC", buttons=seller_buttons)


# --- the forms ---------------------------------------------------------------------------------


# The fields whose API member is a JSON number: a form sends them as text.
_NUMBER_FIELDS = frozenset({"transaction"})


def given(form: QueryDict, *names: str) -> dict[str, object]:
    """The fields the form sent, blank ones left out: an empty optional field means "not given",
    as an absent JSON member does to the API. A number field is read as its JSON would carry it."""
    sent = {name: str(form[name]) for name in names if str(form.get(name, "")).strip()}
    return {name: json_number(value) if name in _NUMBER_FIELDS else value for name, value in sent.items()}


def refund_confirm_posted(form: QueryDict, *, actor: Actor, refund_id: int) -> object:
    """Confirm a refund from its form (``transaction``, ``reference``, ``note``), checked as the
    API checks its body: the seller's page and the agents' queue send the same one. Answers the
    refund (the pages only redirect after it)."""
    wanted = checked(RefundConfirmIn, given(form, "transaction", "reference", "note"), source="form")
    return transactions.refund_confirm(
        refund_id=refund_id,
        actor=actor,
        transaction_id=wanted.transaction,
        reference=wanted.reference,
        note=wanted.note,
    )


def refund_retry_posted(form: QueryDict, *, actor: Actor, refund_id: int) -> object:
    """Retry a refund from its form (``transaction``), as ``refund_confirm_posted`` confirms one."""
    wanted = checked(RefundRetryIn, given(form, "transaction"), source="form")
    return transactions.refund_retry(refund_id=refund_id, actor=actor, transaction_id=wanted.transaction)


def refund_input(form: QueryDict) -> RefundIn:
    """One row per line (``line`` hidden, ``amount``) in page order, ``shipping_amount``, ``note``."""
    lines = [
        {"line": line, "amount": amount.strip()}
        for line, amount in zip(form.getlist("line"), form.getlist("amount"), strict=False)
    ]
    # A form without rows (none of ours) asks for the default, as a body without ``lines`` does.
    body: dict[str, Any] = {**({"lines": lines} if lines else {}), **given(form, "shipping_amount", "note")}
    return checked(RefundIn, body, source="form")


def exchange_input(form: QueryDict) -> ExchangeIn:
    lines = [
        {"line": line, "variant_id": variant.strip()}
        for line, variant in zip(form.getlist("line"), form.getlist("variant_id"), strict=False)
    ]
    return checked(ExchangeIn, {"lines": lines}, source="form")
