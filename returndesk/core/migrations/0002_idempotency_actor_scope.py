"""Idempotency records scoped by the actor's (kind, id) instead of an API key, so a signed-in
page's form token can be an Idempotency-Key too. Existing records keep their key's scope: an API
key's actor is (its role's kind, its prefix), as ``accounts.selectors.actor_for_api_key`` says."""

from django.db import migrations, models

# ``core.actors.KIND_OF_KEY_ROLE`` when this migration was written: frozen, as migrations are.
KIND_OF_KEY_ROLE = {"seller": "seller_key", "platform": "platform", "agent": "agent", "carrier": "carrier"}


def scope_by_key_actor(apps, schema_editor):
    api_key_model = apps.get_model("accounts", "ApiKey")
    record_model = apps.get_model("core", "IdempotencyRecord")
    used = record_model.objects.values_list("api_key_id", flat=True).distinct()
    for key in api_key_model.objects.filter(pk__in=used).only("pk", "role", "prefix"):
        record_model.objects.filter(api_key_id=key.pk).update(
            actor_kind=KIND_OF_KEY_ROLE[key.role], actor_id=key.prefix
        )


def forget_records(apps, schema_editor):
    """Going back, records cannot all be tied to an API key again (a session's have none); they
    are a day's cache of answers, so they go, before the key column returns without a default."""
    apps.get_model("core", "IdempotencyRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apikey_carrier"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="actor_kind",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="actor_id",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(scope_by_key_actor, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="idempotencyrecord", name="idempotency_scope"),
        migrations.RemoveField(model_name="idempotencyrecord", name="api_key"),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.UniqueConstraint(
                fields=("actor_kind", "actor_id", "method", "path_digest", "key"), name="idempotency_actor_scope"
            ),
        ),
        # Last, so that going back it runs first, while the table has no key column.
        migrations.RunPython(migrations.RunPython.noop, forget_records),
    ]
