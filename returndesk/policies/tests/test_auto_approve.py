"""The auto-approve rules, each on its own: reasons, the most paid per line (a currency the map
lacks too), the days since delivery in the buyer's local dates."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from returndesk.policies.domain.auto_approve import AutoApproveLine, auto_approves
from returndesk.policies.domain.policy import AutoApprove
from returndesk.policies.domain.reasons import Reason

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DELIVERED = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DEFECTIVE = AutoApprove(reasons=(Reason.DEFECTIVE, Reason.WRONG_ITEM))


def line(
    reason: Reason = Reason.DEFECTIVE, paid_share: int = 2000, delivered_at: datetime = DELIVERED
) -> AutoApproveLine:
    return AutoApproveLine(reason=reason, paid_share=paid_share, delivered_at=delivered_at)


def judge(
    rules: AutoApprove, *lines: AutoApproveLine, currency: str = "EUR", time_zone: str = "UTC", now: datetime = NOW
) -> bool:
    return auto_approves(rules, currency=currency, lines=lines, time_zone=time_zone, now=now)


def test_no_reasons_never_auto_approve() -> None:
    assert judge(AutoApprove(), line()) is False


def test_every_lines_reason_must_be_listed() -> None:
    assert [
        judge(DEFECTIVE, line(), line(Reason.WRONG_ITEM)),
        judge(DEFECTIVE, line(), line(Reason.CHANGED_MIND)),
    ] == [True, False]


def test_a_return_of_no_lines_is_not_auto_approved() -> None:
    assert judge(DEFECTIVE) is False


@pytest.mark.parametrize(
    ("paid_share", "approved"), [(4999, True), (5000, True), (5001, False)], ids=["below", "at", "above"]
)
def test_every_lines_paid_share_is_at_most_max_line_paid(paid_share: int, approved: bool) -> None:
    rules = AutoApprove(reasons=(Reason.DEFECTIVE,), max_line_paid={"EUR": Decimal("50.00")})
    assert judge(rules, line(paid_share=100), line(paid_share=paid_share)) is approved


def test_a_currency_missing_from_max_line_paid_is_never_auto_approved() -> None:
    rules = AutoApprove(reasons=(Reason.DEFECTIVE,), max_line_paid={"EUR": Decimal("50.00")})
    assert [judge(rules, line(paid_share=1), currency="GBP"), judge(rules, line(paid_share=1), currency="EUR")] == [
        False,
        True,
    ]


def test_max_line_paid_counts_in_the_currencys_minor_unit() -> None:
    rules = AutoApprove(reasons=(Reason.DEFECTIVE,), max_line_paid={"JPY": Decimal(5000)})
    assert [
        judge(rules, line(paid_share=5000), currency="JPY"),
        judge(rules, line(paid_share=5001), currency="JPY"),
    ] == [
        True,
        False,
    ]


@pytest.mark.parametrize(("days", "approved"), [(9, False), (10, True), (11, True)])
def test_max_days_since_delivery_counts_local_dates(days: int, approved: bool) -> None:
    rules = AutoApprove(reasons=(Reason.DEFECTIVE,), max_days_since_delivery=days)
    assert judge(rules, line()) is approved


def test_days_since_delivery_are_the_buyers_local_dates() -> None:
    # Delivered 23:30 UTC on 9 March is 10 March in Madrid: 10 days, not 11, before 20 March.
    rules = AutoApprove(reasons=(Reason.DEFECTIVE,), max_days_since_delivery=10)
    late = line(delivered_at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    assert [judge(rules, late, time_zone="UTC"), judge(rules, late, time_zone="Europe/Madrid")] == [False, True]


def test_every_line_counts_its_own_delivery() -> None:
    rules = AutoApprove(reasons=(Reason.DEFECTIVE,), max_days_since_delivery=5)
    assert judge(rules, line(delivered_at=NOW), line()) is False
