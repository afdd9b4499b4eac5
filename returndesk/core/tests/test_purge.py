from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from returndesk.core.models import RateCounter
from returndesk.core.ratelimit import counters_purge


def test_purge_drops_only_counters_of_past_windows(db):
    now = timezone.now().replace(second=30, microsecond=0)
    current = now.replace(second=0)
    RateCounter.objects.create(bucket="verify:key:a", window_start=current, count=3)
    RateCounter.objects.create(bucket="verify:key:a", window_start=current - timedelta(minutes=1), count=2)
    RateCounter.objects.create(bucket="verify:key:a", window_start=current - timedelta(minutes=5), count=9)

    assert counters_purge(now=now) == 1
    assert sorted(RateCounter.objects.values_list("count", flat=True)) == [2, 3]


def test_purge_command_reports_on_stderr(db, capsys):
    call_command("purge")

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "Purged 0 idempotency record(s) and 0 rate counter(s).\n"
