from datetime import timedelta

from django.utils import timezone

from returndesk.core.models import RateCounter
from returndesk.core.ratelimit import counters_purge


def test_purge_drops_only_counters_older_than_the_longest_window(db):
    # A counter does not say how long its window is: each is kept until an hour's would end.
    now = timezone.now().replace(second=30, microsecond=0)
    current = now.replace(second=0)
    RateCounter.objects.create(bucket="verify:key:a", window_start=current, count=3)
    RateCounter.objects.create(bucket="verify:key:a", window_start=current - timedelta(minutes=5), count=2)
    RateCounter.objects.create(bucket="sign-in-links:email:a", window_start=current - timedelta(minutes=60), count=1)
    RateCounter.objects.create(bucket="verify:key:a", window_start=current - timedelta(minutes=61), count=9)

    assert counters_purge(now=now) == 1
    assert sorted(RateCounter.objects.values_list("count", flat=True)) == [1, 2, 3]
