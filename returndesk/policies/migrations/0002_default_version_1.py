from django.db import migrations
from django.utils import timezone

# The core's default as it shipped (``domain.policy.CORE_DEFAULT`` through ``policy_to_json``),
# written out: a migration keeps the document it made, whatever the code says later.
CORE_DEFAULT_DOCUMENT = {
    "window_days": 30,
    "free_window_days": 15,
    "free_returns_per_order": 1,
    "return_shipping_paid_by": {"changed_mind": "buyer", "other": "buyer", "size_fit": "buyer"},
    "return_shipping_fee": {},
    "restocking_fee_percent": "0",
    "non_returnable_categories": [],
    "non_returnable_skus": [],
    "auto_approve": {"reasons": [], "max_line_paid": {}, "max_days_since_delivery": None},
    "keep_item_below": {},
    "exchanges": True,
    "hold_refunds_above": {},
    "clock_days": {
        "seller_answer": 5,
        "offer_answer": 3,
        "ship_within": 10,
        "transit": 30,
        "receive_after_delivery": 5,
        "inspect_within": 5,
        "refund_within": 2,
        "refund_attention": 3,
        "manual_refund_confirm": 3,
        "escalation_window": 15,
        "dispute_decision": 7,
        "close_after_resolution": 15,
    },
    "seller_bounds": {
        "min_window_days": 14,
        "max_window_days": 365,
        "max_restocking_fee_percent": "20",
        "max_return_shipping_fee": {},
        "editable": [
            "window_days",
            "free_window_days",
            "free_returns_per_order",
            "return_shipping_paid_by",
            "return_shipping_fee",
            "restocking_fee_percent",
            "non_returnable_categories",
            "non_returnable_skus",
            "auto_approve",
            "keep_item_below",
            "exchanges",
        ],
    },
}


def default_version(apps, schema_editor):
    """Version 1: the platform's default, the first row of the sequence (no explicit number, so the
    sequence moves past it), the version every existing return names."""
    version = apps.get_model("policies", "PolicyVersion").objects.create(
        seller=None, document=CORE_DEFAULT_DOCUMENT, effective_at=timezone.now(), actor_kind="system"
    )
    if version.version != 1:
        raise RuntimeError(f"The default policy became version {version.version}, not 1: the table was not empty.")


def remove_default_version(apps, schema_editor):
    apps.get_model("policies", "PolicyVersion").objects.filter(version=1).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(default_version, remove_default_version),
    ]
