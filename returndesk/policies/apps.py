from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PoliciesConfig(AppConfig):
    name = "returndesk.policies"
    label = "policies"

    def ready(self) -> None:
        post_migrate.connect(_default_version_present, sender=self)


def _default_version_present(using: str, **kwargs: Any) -> None:
    """Version 1, the core's default, on a database built from the models rather than the
    migrations (the tests' ``--no-migrations``) or emptied by a flush: the migration
    ``0002_default_version_1`` makes it everywhere else, and then this finds it there."""
    from returndesk.policies import services

    services.policy_default_ensure(using=using)
