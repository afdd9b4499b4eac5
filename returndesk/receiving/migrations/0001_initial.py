import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('marketplace', '0002_order_and_buyer_search_indexes'),
        ('returns', '0004_remove_return_anomalies'),
    ]

    operations = [
        migrations.CreateModel(
            name='Parcel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(max_length=14, unique=True)),
                ('status', models.CharField(choices=[('unmatched', 'unmatched'), ('matched', 'matched')], default='unmatched', max_length=16)),
                ('tracking_number', models.CharField(blank=True, max_length=64)),
                ('sender_name', models.CharField(blank=True, max_length=200)),
                ('contents', models.TextField()),
                ('note', models.TextField(blank=True)),
                ('recorded_at', models.DateTimeField()),
                ('recorded_by_kind', models.CharField(max_length=16)),
                ('recorded_by_id', models.CharField(blank=True, max_length=100)),
                ('matched_at', models.DateTimeField(blank=True, null=True)),
                ('matched_return', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='parcels', to='returns.return')),
                ('seller', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parcels', to='marketplace.seller')),
            ],
            options={
                'indexes': [models.Index(fields=['seller', 'status', '-recorded_at', '-id'], name='parcel_seller_newest'), models.Index(fields=['status', '-recorded_at', '-id'], name='parcel_status_newest'), models.Index(fields=['-recorded_at', '-id'], name='parcel_newest')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('matched_return__isnull', True), ('status', 'unmatched')), models.Q(('matched_return__isnull', False), ('status', 'matched')), _connector='OR'), name='parcel_matched_has_return')],
            },
        ),
        migrations.CreateModel(
            name='Receiving',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('lines', models.JSONField(default=list)),
                ('unmatched', models.JSONField(blank=True, default=list)),
                ('return_request', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receivings', to='returns.return')),
            ],
            options={
                'indexes': [models.Index(fields=['return_request', 'at', 'id'], name='receiving_of_return')],
            },
        ),
    ]
