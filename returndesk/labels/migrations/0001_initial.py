from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="QrKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kid", models.CharField(max_length=8, unique=True)),
                ("public_key", models.BinaryField(max_length=32)),
                ("private_key", models.BinaryField(max_length=32)),
                ("created_at", models.DateTimeField()),
                ("last_exp", models.BigIntegerField(blank=True, null=True)),
            ],
            options={"verbose_name": "QR key"},
        ),
    ]
