from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    """An API key: a public prefix plus a 256-bit secret, of which only a SHA-256 digest is kept.

    SHA-256 rather than Django's password hasher: the secret has 256 bits of entropy, so a slow
    hash adds no safety and would cost half a second on every request.
    """

    class Role(models.TextChoices):
        PLATFORM = "platform"
        SELLER = "seller"
        CARRIER = "carrier"
        AGENT = "agent"

    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    role = models.CharField(max_length=16, choices=Role.choices)
    seller = models.ForeignKey(
        "marketplace.Seller", null=True, blank=True, on_delete=models.PROTECT, related_name="api_keys"
    )
    supervisor = models.BooleanField(default=False)
    # The carrier a carrier key acts for: keys of one carrier share its drop-off points and their
    # failure counters. A carrier key created without one is a carrier of its own, named by its
    # prefix (which no chosen name can equal: a prefix has an underscore). Empty for other roles.
    carrier = models.CharField(max_length=50, blank=True, default="")
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        permissions = [("revoke_apikey", "Can revoke API keys")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="seller", seller__isnull=False) | ~models.Q(role="seller"),
                name="seller_key_names_seller",
            ),
            models.CheckConstraint(
                condition=(models.Q(role="carrier") & ~models.Q(carrier=""))
                | (~models.Q(role="carrier") & models.Q(carrier="")),
                name="carrier_key_names_carrier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.role}{', ' + self.name if self.name else ''})"
