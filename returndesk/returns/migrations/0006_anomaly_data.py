from django.db import migrations, models


class Migration(migrations.Migration):
    """What lies behind each anomaly (the SKU, GTIN, quantities or weights); empty for older rows."""

    dependencies = [
        ("returns", "0005_return_delivered_to_seller_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="returnanomaly",
            name="data",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
