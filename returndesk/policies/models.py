"""Policy versions: one immutable row per version of the platform's default or a seller's policy.

Rows are only ever inserted (``services.policy_put``): a return names the version in force when
it opened, so the clocks and rules it was opened under never change under it.
"""

from __future__ import annotations

from django.db import models


class PolicyVersion(models.Model):
    # One global sequence for every seller and the default: a version number names one row.
    version = models.BigAutoField(primary_key=True)
    # Null: the platform's default.
    seller = models.ForeignKey(
        "marketplace.Seller", null=True, blank=True, on_delete=models.PROTECT, related_name="policy_versions"
    )
    # ``domain.policy.policy_to_json`` of the whole policy: every field, not only those a PUT sent.
    document = models.JSONField()
    # Its creation: a version is in force from then until the seller's (or default's) next one.
    effective_at = models.DateTimeField()
    # Who made it (``core.actors.Actor``): the version row is its own audit record.
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["seller", "-version"], name="policy_version_seller_latest")]

    def __str__(self) -> str:
        return f"policy version {self.version}"
