"""The demo's secrets on disk: ``demo-keys.txt`` in the data directory, readable by its owner only.

One line per secret, tab-separated: role, a name for people, the secret (an API key, or for
the role ``admin`` the Django admin user's password; for a role ``user:<staff role>``, the staff
member's email and password). Written once, when the demo is seeded; the banner reads it back on
every start.

Its presence is what "demo mode" means (``demo_mode``): ``returndesk serve`` writes it when it
seeds the demo (embedded, or with ``--demo``), and only then does the landing page show the demo's
sign-ins and codes and ``/demo/mail/`` answer.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from django.conf import settings

KEYS_FILE = "demo-keys.txt"
ADMIN = "admin"
# A staff member's row: role ``user:seller_manager``, name the email, secret the password.
USER_ROLE_PREFIX = "user:"


class DemoSecret(NamedTuple):
    role: str
    name: str
    secret: str


def keys_path() -> Path:
    return Path(settings.DATA_DIR) / KEYS_FILE


def demo_mode() -> bool:
    """Whether this server serves the seeded demo: the one test of demo mode for pages.

    ``settings.DEMO`` (embedded, or ``serve --demo``) decides where mail goes before anything is
    seeded; the pages show the demo's sign-ins, codes and mail only once its secrets are on disk.
    """
    return bool(settings.DEMO) and keys_path().exists()


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
    if not demo_mode():
        return None
    return [DemoSecret(*line.split("\t")) for line in keys_path().read_text().splitlines() if line]
