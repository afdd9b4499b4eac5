"""The migrations that make version 1 and turn ``Return.policy_version`` into its foreign key."""

from __future__ import annotations

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from returndesk.policies.domain.policy import CORE_DEFAULT, policy_to_json
from returndesk.scenarios.journeys import order_placed, return_opened

BEFORE = [("returns", "0006_anomaly_data"), ("policies", None)]


def migrate(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate the test database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # A state names migrations only: an app migrated to zero has none to name.
    return MigrationExecutor(connection).loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.database
@pytest.mark.django_db(transaction=True)
def test_existing_returns_name_version_1_the_core_default(migrations: list[tuple[str, str]]) -> None:
    ret = return_opened(order=order_placed())

    # Back to the integer column and no versions at all: every return then held 1.
    old = migrate(BEFORE)
    assert old.get_model("returns", "Return").objects.get(pk=ret.pk).policy_version == 1

    apps = migrate(migrations)

    versions = apps.get_model("policies", "PolicyVersion").objects.all()
    assert list(versions.values_list("version", "seller", "document", "actor_kind")) == [
        (1, None, policy_to_json(CORE_DEFAULT), "system")
    ]
    assert apps.get_model("returns", "Return").objects.get(pk=ret.pk).policy_id == 1
    # The sequence has moved past the default: the next version is 2.
    assert versions.create(document={}, effective_at=ret.created_at, actor_kind="platform").version == 2
