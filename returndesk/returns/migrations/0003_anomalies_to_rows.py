"""Move each return's JSON list of anomalies ``[{code, line, note, at}]`` into ReturnAnomaly rows.

``line`` was the order line's external id; a row points at the return's line for it. Moved rows
carry ``source = "migration"``: the list never said which action recorded them.
"""

import re
from datetime import UTC

from django.db import migrations
from django.utils.dateparse import parse_datetime

SOURCE = "migration"
# The registry's code format at the time of this migration (domain.anomalies.CODE_PATTERN).
CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
BATCH = 500


def _row(ReturnAnomaly, return_id, item, lines, fallback_at):
    if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not CODE.fullmatch(item["code"]):
        # Nothing but an admin's hand ever wrote this list; guessing a code would invent history.
        raise ValueError(f"Return {return_id}: anomaly {item!r} has no readable code; correct it and migrate again.")
    external_id = item.get("line")
    line_id = lines.get(external_id) if external_id else None
    note = str(item.get("note") or "")
    if external_id and line_id is None:
        # Keep what the list said about a line the return does not have, rather than drop it.
        note = f"{note} [line {external_id!r}, not in the return]".strip()
    at = parse_datetime(item["at"]) if isinstance(item.get("at"), str) else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return ReturnAnomaly(
        return_request_id=return_id,
        line_id=line_id,
        code=item["code"],
        note=note,
        at=at or fallback_at,
        source=SOURCE,
    )


def anomalies_to_rows(apps, schema_editor):
    Return = apps.get_model("returns", "Return")
    ReturnLine = apps.get_model("returns", "ReturnLine")
    ReturnAnomaly = apps.get_model("returns", "ReturnAnomaly")
    rows = []
    listed = Return.objects.order_by("pk").values_list("pk", "anomalies", "updated_at")
    for return_id, items, updated_at in listed.iterator(chunk_size=BATCH):
        if not items:
            continue
        lines = dict(
            ReturnLine.objects.filter(return_request_id=return_id).values_list("order_line__external_id", "pk")
        )
        rows.extend(_row(ReturnAnomaly, return_id, item, lines, updated_at) for item in items)
        if len(rows) >= BATCH:
            ReturnAnomaly.objects.bulk_create(rows)
            rows = []
    ReturnAnomaly.objects.bulk_create(rows)


def rows_to_anomalies(apps, schema_editor):
    Return = apps.get_model("returns", "Return")
    ReturnAnomaly = apps.get_model("returns", "ReturnAnomaly")
    listed = {}
    rows = ReturnAnomaly.objects.select_related("line__order_line").order_by("return_request_id", "at", "id")
    for row in rows:
        listed.setdefault(row.return_request_id, []).append(
            {
                "code": row.code,
                "line": row.line.order_line.external_id if row.line_id else None,
                "note": row.note,
                "at": row.at.isoformat(),
            }
        )
    for return_id, items in listed.items():
        Return.objects.filter(pk=return_id).update(anomalies=items)
    ReturnAnomaly.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0002_returnanomaly"),
    ]

    operations = [
        migrations.RunPython(anomalies_to_rows, rows_to_anomalies),
    ]
