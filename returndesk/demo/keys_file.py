"""The demo's secrets on disk: ``demo-keys.txt`` in the data directory, readable by its owner only.

One line per secret, tab-separated: role, a name for people, the secret (an API key, or for
the role ``admin`` the Django admin user's password, or for a role ``user:<staff role>`` the
staff member's email and password). Written once, when the demo is seeded;
the banner reads it back on every start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

KEYS_FILE = "demo-keys.txt"
ADMIN = "admin"
# The role column of a staff member's row: ``user:seller_manager`` and so on.
USER_ROLE_PREFIX = "user:"


class DemoSecret(NamedTuple):
    role: str
    name: str
    secret: str


def keys_path() -> Path:
    return Path(settings.DATA_DIR) / KEYS_FILE


def keys_write(secrets: list[DemoSecret]) -> Path:
    """Write the demo secrets where only this user can read them."""
    path = keys_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{row.role}\t{row.name}\t{row.secret}\n" for row in secrets)
    # O_CREAT's mode applies only to a new file: an older, looser one is tightened too.
    os.chmod(path, 0o600)
    return path


def keys_read() -> list[DemoSecret] | None:
    """The demo secrets as written, or None when this data directory holds none."""
    path = keys_path()
    if not path.exists():
        return None
    return [DemoSecret(*line.split("\t")) for line in path.read_text().splitlines() if line]
