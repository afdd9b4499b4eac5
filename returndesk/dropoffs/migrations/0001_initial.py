import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('returns', '0004_remove_return_anomalies'),
    ]

    operations = [
        migrations.CreateModel(
            name='DropoffPoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('carrier', models.CharField(max_length=50)),
                ('point_id', models.CharField(max_length=100)),
                ('name', models.CharField(max_length=200)),
                ('address', models.JSONField()),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('carrier', 'point_id'), name='dropoff_point_per_carrier')],
            },
        ),
        migrations.CreateModel(
            name='Receipt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('receipt_id', models.CharField(max_length=32, unique=True)),
                ('at', models.DateTimeField()),
                ('accepted_at', models.DateTimeField()),
                ('carrier', models.CharField(max_length=50)),
                ('tracking_number', models.CharField(blank=True, max_length=64)),
                ('weight_g', models.PositiveIntegerField(blank=True, null=True)),
                ('offline', models.BooleanField(default=False)),
                ('current', models.BooleanField(default=True)),
                ('point', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='dropoffs.dropoffpoint')),
                ('return_request', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='returns.return')),
            ],
            options={
                'indexes': [models.Index(fields=['return_request', 'current'], name='receipt_return_current')],
            },
        ),
        migrations.CreateModel(
            name='TrackingEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('carrier', models.CharField(max_length=50)),
                ('event_id', models.CharField(max_length=100)),
                ('tracking_number', models.CharField(max_length=64)),
                ('status', models.CharField(max_length=24)),
                ('occurred_at', models.DateTimeField()),
                ('code', models.CharField(blank=True, max_length=13)),
                ('received_at', models.DateTimeField()),
                ('applied', models.BooleanField(default=False)),
                ('return_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tracking_events', to='returns.return')),
            ],
            options={
                'indexes': [models.Index(fields=['tracking_number', 'applied'], name='tracking_event_number')],
                'constraints': [models.UniqueConstraint(fields=('carrier', 'event_id'), name='tracking_event_once')],
            },
        ),
    ]
