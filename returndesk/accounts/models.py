from __future__ import annotations

from django.conf import settings
from django.db import models

from returndesk.core.actors import StaffRole


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


class StaffMembership(models.Model):
    """What a signed-in person is to returndesk: a Django user (username = lower-cased email) with
    one role, and the seller or drop-off point that role acts for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_membership")
    role = models.CharField(max_length=32, choices=[(role.value, role.value) for role in StaffRole])
    seller = models.ForeignKey(
        "marketplace.Seller", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_memberships"
    )
    # Counter staff only: the carrier (as ``createkey --carrier``) and the drop-off point they work at.
    carrier = models.CharField(max_length=50, blank=True, default="")
    point_id = models.CharField(max_length=100, blank=True, default="")
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role__in=["seller_manager", "seller_warehouse"]) & models.Q(seller__isnull=False))
                | (~models.Q(role__in=["seller_manager", "seller_warehouse"]) & models.Q(seller__isnull=True)),
                name="staff_seller_for_seller_roles",
            ),
            models.CheckConstraint(
                condition=(models.Q(role="counter") & ~models.Q(carrier="") & ~models.Q(point_id=""))
                | (~models.Q(role="counter") & models.Q(carrier="", point_id="")),
                name="staff_point_for_counter",
            ),
        ]
        indexes = [models.Index(fields=["role"]), models.Index(fields=["seller", "role"])]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"


class MagicLink(models.Model):
    """A one-time sign-in link for a buyer. Only the SHA-256 of its 256-bit token is kept: the
    token is in the mail (or the portal-link answer) and nowhere else."""

    digest = models.CharField(max_length=64, unique=True)
    buyer = models.ForeignKey("marketplace.Buyer", on_delete=models.CASCADE, related_name="magic_links")
    # The return code the link lands on, when it names one (a portal link's ``return``).
    return_code = models.CharField(max_length=16, blank=True, default="")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The SHA-256 of the link page's own one-time form token that used it: the same page's Sign in
    # pressed again soon after signs in again (``accounts.services.magic_link_consume``).
    used_form = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"link for {self.buyer_id} until {self.expires_at:%Y-%m-%d %H:%M}"
