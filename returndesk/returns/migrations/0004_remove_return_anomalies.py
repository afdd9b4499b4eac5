import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Drop the JSON list, now moved into rows, and give its name to the rows' reverse accessor."""

    dependencies = [
        ("returns", "0003_anomalies_to_rows"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="return",
            name="anomalies",
        ),
        migrations.AlterField(
            model_name="returnanomaly",
            name="return_request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="anomalies",
                to="returns.return",
            ),
        ),
    ]
