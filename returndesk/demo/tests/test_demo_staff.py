"""The demo's staff sign-ins: seeded with generated passwords, kept in demo-keys.txt, printed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from returndesk.accounts.models import StaffMembership
from returndesk.accounts.services import staff_update
from returndesk.demo import banner
from returndesk.demo.keys_file import keys_read, keys_write
from returndesk.demo.seed import demo_seed, demo_staff_add_if_missing
from returndesk.testing import NOW

EXPECTED = [
    ("user:seller_manager", "manager@lumen.example"),
    ("user:seller_manager", "manager@knit.example"),
    ("user:seller_manager", "manager@volt.example"),
    ("user:seller_warehouse", "warehouse@volt.example"),
    ("user:agent", "agent@returndesk.example"),
    ("user:supervisor", "supervisor@returndesk.example"),
    ("user:counter", "counter@post.example"),
]


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_the_demo_seeds_its_staff_with_passwords_that_sign_in(db):
    rows = [row for row in demo_seed(now=NOW) if row.role.startswith("user:")]

    assert [(row.role, row.name) for row in rows] == EXPECTED
    counter = StaffMembership.objects.get(role="counter")
    assert (counter.carrier, counter.point_id) == ("demo-post", "DEMO-1")
    assert StaffMembership.objects.get(user__username="warehouse@volt.example").seller.external_id == "S-VOLT"
    answer = Client().post("/sign-in/", {"email": rows[0].name, "password": rows[0].secret})
    assert (answer.status_code, answer["Location"]) == (303, "/seller/")


def test_an_older_demo_gets_its_staff_once(db, data_dir):
    seeded = demo_seed(now=NOW)
    StaffMembership.objects.all().delete()
    get_user_model().objects.filter(username__in=[email for _, email in EXPECTED]).delete()

    added = demo_staff_add_if_missing()

    assert [(row.role, row.name) for row in added] == EXPECTED
    assert demo_staff_add_if_missing() == []
    assert len(seeded) == len(added) + 7  # the five keys, the admin, and the same seven staff


def test_the_banner_prints_the_live_sign_ins(db, data_dir):
    rows = demo_seed(now=NOW)
    keys_write(rows)
    staff_update(staff_id=StaffMembership.objects.get(user__username="agent@returndesk.example").user_id, active=False)

    lines = banner.banner_lines(base_url="http://127.0.0.1:8000", now=NOW)

    start = lines.index("Demo sign-ins at http://127.0.0.1:8000/sign-in/ (email, password):")
    shown = [line.split()[1] for line in lines[start + 1 : start + 7]]
    assert shown == [email for _, email in EXPECTED if email != "agent@returndesk.example"]
    assert keys_read() == rows
