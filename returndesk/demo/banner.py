"""What ``returndesk serve`` prints about the demo when it starts: the keys that still work and a
return code to try at the counter for each everyday answer of the verifier.

Everything is looked up at start, not remembered from the seeding: a key revoked since is left
out, and a code is shown for the answer it gives now.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model

from returndesk.accounts.keys import split_token
from returndesk.accounts.models import ApiKey
from returndesk.demo.keys_file import ADMIN, USER_ROLE_PREFIX, DemoSecret, keys_path, keys_read
from returndesk.demo.seed import SELLER_IDS
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.verification import RefusalReason, Result, verdict_by_status
from returndesk.returns.models import Return

# The answers a counter meets every day, with the verifier's result and reason for each.
ANSWERS: list[tuple[str, Result, RefusalReason | None]] = [
    ("valid", Result.VALID, None),
    ("awaiting approval", Result.NOT_ACCEPTABLE, RefusalReason.AWAITING_APPROVAL),
    ("cancelled", Result.CANCELLED, None),
    ("expired", Result.EXPIRED, None),
]
_STATUSES_ANSWERING = (Status.APPROVED, Status.REQUESTED, Status.CANCELLED)
# Whose key the example look-up uses: a carrier's is what a counter holds.
_LOOK_UP_ROLES = (ApiKey.Role.CARRIER, ApiKey.Role.PLATFORM, ApiKey.Role.AGENT)
_LIST_ROLES = (ApiKey.Role.PLATFORM, ApiKey.Role.AGENT)


def live_secrets(rows: list[DemoSecret]) -> list[DemoSecret]:
    """The rows whose key is not revoked (and the admin's and staff members' passwords while
    those users may sign in)."""
    prefixes = {row.secret: parts[0] for row in rows if (parts := split_token(row.secret)) is not None}
    live = set(
        ApiKey.objects.filter(prefix__in=prefixes.values(), revoked_at__isnull=True).values_list("prefix", flat=True)
    )
    staff = {row.name for row in rows if row.role.startswith(USER_ROLE_PREFIX)}
    active_users = set(
        get_user_model().objects.filter(username__in=[ADMIN, *staff], is_active=True).values_list("username", flat=True)
    )
    return [
        row
        for row in rows
        if (row.role == ADMIN and ADMIN in active_users)
        or (row.role.startswith(USER_ROLE_PREFIX) and row.name in active_users)
        or (row.secret in prefixes and prefixes[row.secret] in live)
    ]


def codes_to_try(*, now: datetime) -> list[tuple[str, str]]:
    """(answer, code as displayed) for each of ``ANSWERS`` some demo return gives at ``now``."""
    found: dict[str, str] = {}
    returns = Return.objects.filter(seller__external_id__in=SELLER_IDS, status__in=_STATUSES_ANSWERING).order_by(
        "created_at", "id"
    )
    for ret in returns.only("code", "status", "parcel_recorded", "ship_by"):
        verdict = verdict_by_status(
            Status(ret.status), parcel_recorded=ret.parcel_recorded, ship_by=ret.ship_by, now=now
        )
        for answer, result, reason in ANSWERS:
            if (verdict.result, verdict.reason) == (result, reason):
                found.setdefault(answer, codes.display(ret.code))
    return [(answer, found[answer]) for answer, _, _ in ANSWERS if answer in found]


def _first_of(rows: list[DemoSecret], roles: tuple[str, ...]) -> DemoSecret | None:
    return next((row for role in roles for row in rows if row.role == role), None)


def banner_lines(*, base_url: str, now: datetime) -> list[str]:
    """The demo's part of the start-up banner; ``base_url`` without a trailing slash."""
    rows = keys_read()
    if rows is None:
        return ["The database is not empty and holds no demo keys; create some with 'returndesk createkey'."]
    live = live_secrets(rows)
    sign_ins = [row for row in live if row.role.startswith(USER_ROLE_PREFIX)]
    lines = [f"Demo keys still live (send as 'Authorization: Bearer <key>'; all demo secrets are in {keys_path()}):"]
    lines += [f"  {row.role:<9} {row.name:<40} {row.secret}" for row in live if row not in sign_ins]
    if sign_ins:
        lines.append(f"Demo sign-ins at {base_url}/sign-in/ (email, password):")
        lines += [f"  {row.role.removeprefix(USER_ROLE_PREFIX):<17} {row.name:<30} {row.secret}" for row in sign_ins]
    if len(live) < len(rows):
        lines.append(f"  ({len(rows) - len(live)} revoked or disabled since the demo was seeded, not shown)")
    to_try = codes_to_try(now=now)
    if to_try:
        lines.append("Return codes to try at the counter (GET /api/v1/codes/{code}):")
        lines += [f"  {answer:<18} {code}" for answer, code in to_try]
    examples = [
        (key, path)
        for key, path in (
            (_first_of(live, _LIST_ROLES), "/api/v1/returns"),
            (_first_of(live, _LOOK_UP_ROLES), f"/api/v1/codes/{to_try[0][1]}" if to_try else None),
        )
        if key is not None and path is not None
    ]
    if examples:
        lines.append("Try:")
        lines += [f'  curl -H "Authorization: Bearer {key.secret}" {base_url}{path}' for key, path in examples]
    return lines
