"""What opening a return now records: the buyer's preferred resolution, whether the return is free
and an EU withdrawal, each line's paid share and exchange variant.

Existing returns keep ``refund``, not free, no withdrawal (nobody judged them so); their lines get
the paid shares their order lines' units carry, in the order the returns opened, counting only
returns that still hold units (released ones never took a share): floor(P*(h+k)/Q) - floor(P*h/Q).
"""

from decimal import ROUND_FLOOR, Decimal

from django.db import migrations, models

# lifecycle.RELEASING_STATUSES and RELEASING_CLOSES as this migration was written.
RELEASING = ("cancelled", "expired")
RELEASING_CLOSES = ("rejected", "expired")
# core.money's exponents other than 2, as this migration was written.
EXPONENTS = (
    dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0)
    | dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3)
    | {"CLF": 4, "UYW": 4}
)


def _floor_minor(amount, exponent):
    return int((amount * 10**exponent).to_integral_value(rounding=ROUND_FLOOR))


def paid_shares(apps, schema_editor):
    ReturnLine = apps.get_model("returns", "ReturnLine")
    held = {}
    changed = []
    lines = (
        ReturnLine.objects.select_related("return_request", "order_line__order")
        .order_by("return_request__created_at", "return_request_id", "id")
        .iterator(chunk_size=500)
    )
    for line in lines:
        ret, order_line = line.return_request, line.order_line
        if ret.status in RELEASING or (ret.status == "closed" and ret.closed_from in RELEASING_CLOSES):
            continue
        exponent = EXPONENTS.get(order_line.order.currency, 2)
        paid, quantity = _floor_minor(order_line.paid_amount, exponent), order_line.quantity
        before = held.get(order_line.pk, 0)
        after = min(before + line.quantity, quantity)
        share = paid * after // quantity - paid * before // quantity
        held[order_line.pk] = after
        line.paid_share = Decimal(share).scaleb(-exponent)
        changed.append(line)
    ReturnLine.objects.bulk_update(changed, ["paid_share"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0007_return_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="return",
            name="eu_withdrawal",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="return",
            name="free_return",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="return",
            name="preferred_resolution",
            field=models.CharField(
                choices=[
                    ("refund", "refund"),
                    ("exchange", "exchange"),
                    ("replacement", "replacement"),
                    ("keep_item", "keep item"),
                ],
                default="refund",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="returnline",
            name="exchange_variant_id",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="returnline",
            name="paid_share",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=19),
        ),
        migrations.RunPython(paid_shares, migrations.RunPython.noop),
    ]
