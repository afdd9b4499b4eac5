import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Anomalies become rows of their own. The table arrives beside the old JSON column; its reverse
    accessor takes the column's name (``anomalies``) only once 0004 has dropped the column."""

    dependencies = [
        ("returns", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReturnAnomaly",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=32)),
                ("note", models.TextField(blank=True)),
                ("at", models.DateTimeField()),
                ("source", models.CharField(max_length=24)),
                (
                    "line",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="anomalies",
                        to="returns.returnline",
                    ),
                ),
                (
                    "return_request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="anomaly_rows",
                        to="returns.return",
                    ),
                ),
            ],
        ),
    ]
