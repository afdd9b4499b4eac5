import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """``policy_version`` (an integer, 1 on every return so far) becomes a foreign key to the policy
    version, in the same column: existing returns name version 1, the core's default."""

    dependencies = [
        ('policies', '0002_default_version_1'),
        ('returns', '0006_anomaly_data'),
    ]

    operations = [
        migrations.RenameField(
            model_name='return',
            old_name='policy_version',
            new_name='policy',
        ),
        migrations.AlterField(
            model_name='return',
            name='policy',
            field=models.ForeignKey(db_column='policy_version', on_delete=django.db.models.deletion.PROTECT, related_name='returns', to='policies.policyversion'),
        ),
    ]
