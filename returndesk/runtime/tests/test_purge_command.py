"""``returndesk purge`` runs every app's purge: what each keeps is tested beside its service."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from returndesk.accounts.models import MagicLink
from returndesk.accounts.services import portal_link_create
from returndesk.core.models import RateCounter
from returndesk.marketplace.models import Buyer
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import frozen_clock


def test_purge_reports_each_kind_on_stderr_and_nothing_on_stdout(db, capsys):
    call_command("purge")

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "Purged 0 idempotency record(s), 0 rate counter(s) and 0 sign-in link(s).\n"


def test_purge_drops_sign_in_links_a_day_past_their_expiry_and_old_counters(make_order, capsys):
    now = timezone.now().replace(microsecond=0)
    make_order(buyer=buyer_payload("B-1"))
    buyer = Buyer.objects.get()
    with frozen_clock(now - timedelta(days=2)):
        portal_link_create(buyer=buyer, origin="http://testserver", expires_in=60)
    with frozen_clock(now - timedelta(hours=23)):
        portal_link_create(buyer=buyer, origin="http://testserver", expires_in=60)
    RateCounter.objects.create(bucket="sign-in-links:email:a", window_start=now - timedelta(hours=2), count=1)

    call_command("purge")

    # The link that ended 23 hours ago stays: a day's grace, as magic_links_purge keeps.
    assert list(MagicLink.objects.values_list("created_at", flat=True)) == [now - timedelta(hours=23)]
    assert RateCounter.objects.count() == 0
    assert capsys.readouterr().err == "Purged 0 idempotency record(s), 1 rate counter(s) and 1 sign-in link(s).\n"
