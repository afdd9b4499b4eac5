import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('marketplace', '0002_order_and_buyer_search_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='PolicyVersion',
            fields=[
                ('version', models.BigAutoField(primary_key=True, serialize=False)),
                ('document', models.JSONField()),
                ('effective_at', models.DateTimeField()),
                ('actor_kind', models.CharField(max_length=16)),
                ('actor_id', models.CharField(blank=True, max_length=100)),
                ('seller', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='policy_versions', to='marketplace.seller')),
            ],
            options={
                'indexes': [models.Index(fields=['seller', '-version'], name='policy_version_seller_latest')],
            },
        ),
    ]
