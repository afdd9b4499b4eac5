import django.db.models.deletion
from django.db import migrations, models

import returndesk.refunds.domain.states

MONEY = {"decimal_places": 4, "max_digits": 19}


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("marketplace", "0003_refunded_totals"),
        ("returns", "0009_refund_ledger_columns"),
    ]

    operations = [
        migrations.CreateModel(
            name="Offer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount", models.DecimalField(**MONEY)),
                ("currency", models.CharField(max_length=3)),
                ("message", models.TextField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("accepted", "accepted"),
                            ("declined", "declined"),
                            ("lapsed", "lapsed"),
                            ("withdrawn", "withdrawn"),
                        ],
                        default=returndesk.refunds.domain.states.OfferState["OPEN"],
                        max_length=16,
                    ),
                ),
                ("made_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                ("made_by_kind", models.CharField(max_length=16)),
                ("made_by_id", models.CharField(blank=True, max_length=100)),
                (
                    "return_request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="offers", to="returns.return"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["return_request", "made_at", "id"], name="offer_return_made")],
            },
        ),
        migrations.CreateModel(
            name="Refund",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("refund", "refund"), ("keep", "keep"), ("offer", "offer")], max_length=8
                    ),
                ),
                ("currency", models.CharField(max_length=3)),
                ("shipping_amount", models.DecimalField(default=0, **MONEY)),
                ("total", models.DecimalField(**MONEY)),
                ("note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField()),
                ("created_by_kind", models.CharField(max_length=16)),
                ("created_by_id", models.CharField(blank=True, max_length=100)),
                ("request_key", models.CharField(blank=True, max_length=255)),
                (
                    "offer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refunds",
                        to="refunds.offer",
                    ),
                ),
                (
                    "return_request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="refunds", to="returns.return"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["return_request", "created_at", "id"], name="refund_return_created")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("request_key", ""), _negated=True),
                        fields=("return_request", "request_key"),
                        name="refund_request_key_once",
                    ),
                    models.CheckConstraint(condition=models.Q(("total__gt", 0)), name="refund_total_positive"),
                    models.CheckConstraint(
                        condition=models.Q(("shipping_amount__gte", 0)), name="refund_shipping_not_negative"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RefundLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("quantity", models.PositiveIntegerField()),
                ("paid_share", models.DecimalField(**MONEY)),
                ("restocking_fee", models.DecimalField(default=0, **MONEY)),
                ("return_shipping_fee", models.DecimalField(default=0, **MONEY)),
                ("amount", models.DecimalField(**MONEY)),
                (
                    "refund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="refunds.refund"
                    ),
                ),
                (
                    "return_line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refund_lines",
                        to="returns.returnline",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("refund", "return_line"), name="refund_line_once"),
                    models.CheckConstraint(
                        condition=models.Q(("amount__gte", 0)), name="refund_line_amount_not_negative"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RefundTransaction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("gateway", models.CharField(max_length=64)),
                ("amount", models.DecimalField(**MONEY)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "pending"),
                            ("succeeded", "succeeded"),
                            ("failed", "failed"),
                            ("held", "held"),
                            ("cancelled", "cancelled"),
                        ],
                        default=returndesk.refunds.domain.states.TransactionStatus["PENDING"],
                        max_length=16,
                    ),
                ),
                ("awaiting", models.CharField(blank=True, max_length=16)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("attempted_at", models.DateTimeField(blank=True, null=True)),
                ("gateway_reference", models.CharField(blank=True, max_length=255)),
                ("failure_code", models.CharField(blank=True, max_length=64)),
                ("failure_message", models.TextField(blank=True)),
                ("created_at", models.DateTimeField()),
                ("succeeded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "payment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refund_transactions",
                        to="marketplace.payment",
                    ),
                ),
                (
                    "refund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="transactions", to="refunds.refund"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["status", "created_at"], name="refund_transaction_status")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="refund_transaction_amount_positive"
                    ),
                ],
            },
        ),
    ]
