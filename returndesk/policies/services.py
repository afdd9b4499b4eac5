"""Everything that writes policy versions: each is one new, immutable row."""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import connections, transaction
from django.utils import timezone

from returndesk.core.actors import ActorKind
from returndesk.policies import selectors
from returndesk.policies.domain.policy import CORE_DEFAULT, policy_to_json
from returndesk.policies.models import PolicyVersion

# The number the data migration gives the core's default.
DEFAULT_VERSION = 1


def policy_default_ensure(*, using: str = "default") -> None:
    """Make version 1, the core's default, where it is missing (a test database built from the
    models, or one a flush emptied), and remember it in this process.

    The number is written out (a flush need not reset the sequence), so the sequence is moved past
    it afterwards, as the migration's insert would have.
    """
    row = PolicyVersion.objects.using(using).filter(version=DEFAULT_VERSION).first()
    if row is None:
        with transaction.atomic(using=using):
            row = PolicyVersion.objects.using(using).create(
                version=DEFAULT_VERSION,
                seller=None,
                document=policy_to_json(CORE_DEFAULT),
                effective_at=timezone.now(),
                actor_kind=ActorKind.SYSTEM,
            )
            connection = connections[using]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [PolicyVersion]):
                    cursor.execute(sql)
    selectors.policy_versions_forget()
    selectors.versioned(row)
