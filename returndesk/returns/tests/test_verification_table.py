"""The verifier's answer by status: every Status x parcel recorded x ship_by (future, past, none).

Pure Python: no Django, no database. The expected table is literal data copied from the
contract (the core issue's verifier table), never derived from ``domain.verification``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.verification import RefusalReason, Result, Verdict, verdict_by_status

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
SHIP_BY = {"future": NOW + timedelta(days=1), "past": NOW - timedelta(days=1), "none": None}

S, R, W = Status, Result, RefusalReason
VALID, EXPIRED, CANCELLED, USED = (R.VALID, None), (R.EXPIRED, None), (R.CANCELLED, None), (R.USED, None)
AWAITING = (R.NOT_ACCEPTABLE, W.AWAITING_APPROVAL)
REJECTED = (R.NOT_ACCEPTABLE, W.REJECTED)
NO_PARCEL = (R.NOT_ACCEPTABLE, W.NO_PARCEL_EXPECTED)
DISPUTED = (R.NOT_ACCEPTABLE, W.DISPUTED)
CLOSED = (R.NOT_ACCEPTABLE, W.CLOSED)

# (status, parcel recorded) -> (result, reason) for ship_by future / past / none.
# A "-" in the contract's parcel column means the answer is the same with and without a parcel.
# in_transit, received and inspected always have a parcel (handover or receipt records it); the
# contract answers `used` for them, and so does the row without one.
EXPECTED: dict[tuple[Status, bool], tuple[tuple[Result, RefusalReason | None], ...]] = {
    (S.REQUESTED, False): (AWAITING, AWAITING, AWAITING),
    (S.REQUESTED, True): (AWAITING, AWAITING, AWAITING),
    (S.APPROVED, False): (VALID, EXPIRED, EXPIRED),
    (S.APPROVED, True): (VALID, EXPIRED, EXPIRED),
    (S.EXPIRED, False): (EXPIRED, EXPIRED, EXPIRED),
    (S.EXPIRED, True): (EXPIRED, EXPIRED, EXPIRED),
    (S.REJECTED, False): (REJECTED, REJECTED, REJECTED),
    (S.REJECTED, True): (REJECTED, REJECTED, REJECTED),
    (S.CANCELLED, False): (CANCELLED, CANCELLED, CANCELLED),
    (S.CANCELLED, True): (CANCELLED, CANCELLED, CANCELLED),
    (S.IN_TRANSIT, False): (USED, USED, USED),
    (S.IN_TRANSIT, True): (USED, USED, USED),
    (S.RECEIVED, False): (USED, USED, USED),
    (S.RECEIVED, True): (USED, USED, USED),
    (S.INSPECTED, False): (USED, USED, USED),
    (S.INSPECTED, True): (USED, USED, USED),
    (S.REFUNDING, False): (NO_PARCEL, NO_PARCEL, NO_PARCEL),
    (S.REFUNDING, True): (USED, USED, USED),
    (S.RESOLVED, False): (NO_PARCEL, NO_PARCEL, NO_PARCEL),
    (S.RESOLVED, True): (USED, USED, USED),
    (S.DISPUTED, False): (DISPUTED, DISPUTED, DISPUTED),
    (S.DISPUTED, True): (USED, USED, USED),
    (S.CLOSED, False): (CLOSED, CLOSED, CLOSED),
    (S.CLOSED, True): (USED, USED, USED),
}
CASES = [
    pytest.param(
        status,
        parcel,
        ship_by,
        EXPECTED[status, parcel][index],
        id=f"{status}-{'parcel' if parcel else 'no_parcel'}-ship_by_{ship_by}",
    )
    for status, parcel, (index, ship_by) in product(Status, (False, True), enumerate(SHIP_BY))
]


def test_the_expected_table_covers_every_status_with_and_without_a_parcel() -> None:
    assert set(EXPECTED) == set(product(Status, (False, True)))
    assert len(CASES) == len(Status) * 2 * 3


@pytest.mark.parametrize(("status", "parcel", "ship_by", "expected"), CASES)
def test_verdict_by_status(
    status: Status, parcel: bool, ship_by: str, expected: tuple[Result, RefusalReason | None]
) -> None:
    verdict = verdict_by_status(status, parcel_recorded=parcel, ship_by=SHIP_BY[ship_by], now=NOW)

    assert (verdict.result, verdict.reason) == expected
    assert verdict.message.strip() != ""


@pytest.mark.parametrize(
    ("status", "parcel", "ship_by", "expected"),
    [
        pytest.param(
            S.APPROVED, False, SHIP_BY["future"], Verdict(R.VALID, None, "The parcel may be accepted."), id="valid"
        ),
        pytest.param(
            S.APPROVED,
            False,
            SHIP_BY["past"],
            Verdict(R.EXPIRED, None, "The time to ship this return has passed; the code is no longer accepted."),
            id="approved-past-ship_by",
        ),
        pytest.param(
            S.CANCELLED,
            False,
            None,
            Verdict(R.CANCELLED, None, "This return was cancelled; the code is no longer accepted."),
            id="cancelled",
        ),
        pytest.param(
            S.RECEIVED,
            True,
            SHIP_BY["past"],
            Verdict(R.USED, None, "This code has already been used for a parcel."),
            id="used",
        ),
        pytest.param(
            S.REQUESTED,
            False,
            None,
            Verdict(R.NOT_ACCEPTABLE, W.AWAITING_APPROVAL, "The seller has not approved this return yet."),
            id="awaiting_approval",
        ),
        pytest.param(
            S.REFUNDING,
            False,
            None,
            Verdict(
                R.NOT_ACCEPTABLE, W.NO_PARCEL_EXPECTED, "No parcel is expected: this return is refunded without one."
            ),
            id="no_parcel_expected",
        ),
        pytest.param(S.CLOSED, False, None, Verdict(R.NOT_ACCEPTABLE, W.CLOSED, "This return is closed."), id="closed"),
    ],
)
def test_verdict_messages(status: Status, parcel: bool, ship_by: datetime | None, expected: Verdict) -> None:
    assert verdict_by_status(status, parcel_recorded=parcel, ship_by=ship_by, now=NOW) == expected


def test_an_approved_code_is_valid_up_to_and_including_ship_by() -> None:
    at_ship_by = verdict_by_status(S.APPROVED, parcel_recorded=False, ship_by=NOW, now=NOW)
    just_after = verdict_by_status(S.APPROVED, parcel_recorded=False, ship_by=NOW, now=NOW + timedelta(microseconds=1))

    assert (at_ship_by.result, just_after.result) == (R.VALID, R.EXPIRED)
