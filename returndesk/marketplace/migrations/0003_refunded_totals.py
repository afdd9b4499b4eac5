"""The refund ledger's running totals on orders, their lines and payments, each within what was
paid (CHECK constraints). Nothing was refunded before: every total starts at 0."""

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0002_order_and_buyer_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddField(
            model_name="order",
            name="shipping_refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddField(
            model_name="orderline",
            name="refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddField(
            model_name="payment",
            name="refunded",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("refunded__gte", django.db.models.expressions.F("shipping_refunded")),
                    ("shipping_refunded__gte", 0),
                    ("shipping_refunded__lte", django.db.models.expressions.F("shipping_amount")),
                ),
                name="order_refunded_within",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("refunded__gte", 0), ("refunded__lte", django.db.models.expressions.F("paid_amount"))
                ),
                name="order_line_refunded_within_paid",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("refunded__gte", 0), ("refunded__lte", django.db.models.expressions.F("amount"))),
                name="payment_refunded_within_amount",
            ),
        ),
    ]
