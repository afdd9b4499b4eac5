"""The demo as seeded, and what the start-up banner finds in it: live keys and codes to try."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest

from returndesk.accounts.keys import split_token
from returndesk.accounts.services import apikey_revoke
from returndesk.demo import banner
from returndesk.demo.keys_file import KEYS_FILE, DemoSecret, keys_read, keys_write
from returndesk.demo.seed import demo_is_empty, demo_seed
from returndesk.returns.domain import codes
from returndesk.returns.models import Return, ReturnEvent
from returndesk.testing import NOW

# With issue 9's money: an inspected return with an open offer and three refunding (their gateways
# run after the seed's commit, which a test inside a transaction never makes).
SEEDED_STATUSES = ["approved", "approved", "cancelled", "closed", "inspected", "inspected", "received",
                   "refunding", "refunding", "refunding", "rejected", "requested"]  # fmt: skip


@pytest.fixture
def seeded(db) -> list[DemoSecret]:
    return demo_seed(now=NOW)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _prefix(row: DemoSecret) -> str:
    parts = split_token(row.secret)
    assert parts is not None
    return parts[0]


def test_the_demo_has_a_return_in_each_status_the_services_reach(seeded):
    assert sorted(Return.objects.values_list("status", flat=True)) == SEEDED_STATUSES
    assert not demo_is_empty()


def test_the_demo_timelines_name_the_demo_keys_that_acted(seeded):
    key_ids = {_prefix(row) for row in seeded if split_token(row.secret) is not None}

    actors = set(ReturnEvent.objects.values_list("actor_id", flat=True))

    assert actors <= key_ids
    assert len(actors) == 4  # the platform and the three sellers


def test_the_banner_finds_a_code_for_each_everyday_answer(seeded):
    expected = {
        "valid": Return.objects.get(status="approved", ship_by__gt=NOW),
        "awaiting approval": Return.objects.get(status="requested"),
        "cancelled": Return.objects.get(status="cancelled"),
        "expired": Return.objects.get(status="approved", ship_by__lt=NOW),
    }

    found = banner.codes_to_try(now=NOW)

    assert found == [(answer, codes.display(ret.code)) for answer, ret in expected.items()]


def test_past_its_ship_by_date_the_approved_return_is_not_offered_as_valid(seeded):
    ship_by = Return.objects.get(status="approved", ship_by__gt=NOW).ship_by

    found = banner.codes_to_try(now=ship_by + timedelta(seconds=1))

    assert [answer for answer, _ in found] == ["awaiting approval", "cancelled", "expired"]


def test_the_banner_leaves_out_a_revoked_key(seeded):
    carrier = next(row for row in seeded if row.role == "carrier")
    apikey_revoke(prefix=_prefix(carrier))

    live = banner.live_secrets(seeded)

    assert live == [row for row in seeded if row != carrier]


def test_banner_lines_show_live_keys_codes_and_example_calls(seeded, data_dir):
    keys_write(seeded)
    agent = next(row for row in seeded if row.role == "agent")
    apikey_revoke(prefix=_prefix(agent))
    valid = codes.display(Return.objects.get(status="approved", ship_by__gt=NOW).code)

    lines = banner.banner_lines(base_url="http://127.0.0.1:8000", now=NOW)

    text = "\n".join(lines)
    assert agent.secret not in text
    assert [row.secret for row in seeded if row != agent and row.secret not in text] == []
    assert "  (1 revoked or disabled since the demo was seeded, not shown)" in lines
    assert f"  valid              {valid}" in lines
    carrier, platform = (next(row for row in seeded if row.role == role) for role in ("carrier", "platform"))
    assert lines[-2:] == [
        f'  curl -H "Authorization: Bearer {platform.secret}" http://127.0.0.1:8000/api/v1/returns',
        f'  curl -H "Authorization: Bearer {carrier.secret}" http://127.0.0.1:8000/api/v1/codes/{valid}',
    ]


def test_the_keys_file_is_private_and_reads_back(seeded, data_dir):
    path = keys_write(seeded)

    assert path == data_dir / KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys_read() == seeded
