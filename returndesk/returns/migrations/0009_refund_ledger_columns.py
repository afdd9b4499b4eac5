"""What the refund ledger writes on a return: the offer and money facts the lifecycle reads, and
the running totals of its refunds (each line's within its paid share).

The ``offer`` JSON column goes: nothing ever wrote it (offers were not built before the ledger),
and offers now live in ``refunds.Offer``.
"""

import datetime

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0008_opening_preferences"),
    ]

    operations = [
        migrations.RemoveField(model_name="return", name="offer"),
        migrations.AddField(model_name="return", name="offer_open", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="return", name="offer_made_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="return",
            name="offer_paused",
            field=models.DurationField(default=datetime.timedelta(0)),
        ),
        migrations.AddField(
            model_name="return", name="money_due_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="return", name="attention_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(model_name="return", name="settled", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="return",
            name="refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddField(
            model_name="return",
            name="shipping_refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddField(
            model_name="returnline",
            name="refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddConstraint(
            model_name="return",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("refunded__gte", django.db.models.expressions.F("shipping_refunded")),
                    ("shipping_refunded__gte", 0),
                ),
                name="return_refunded_within",
            ),
        ),
        migrations.AddConstraint(
            model_name="returnline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("refunded__gte", 0), ("refunded__lte", django.db.models.expressions.F("paid_share"))
                ),
                name="return_line_refunded_within_paid_share",
            ),
        ),
    ]
