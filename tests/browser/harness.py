"""What the browser tests check on a page, and what they read from the served demo.

The fixtures that start the demo and the browser are in ``conftest.py``; this module holds the
checks (no sideways scroll, axe-core, another origin), screenshots, and the demo's secrets and
mailbox as the tests read them.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route

from returndesk.demo.keys_file import KEYS_FILE, DemoSecret
from tests.served.harness import Server

REPOSITORY = Path(__file__).resolve().parents[2]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium fonts-dejavu-core"
# The two widths every page is seen at: a small phone and a laptop; each with a usual height.
VIEWPORTS = {375: 812, 1280: 800}
# Where screenshots go: ignored by git, unless `make screenshots` names docs/screenshots/.
SCREENSHOT_DIR = "RETURNDESK_SCREENSHOT_DIR"
DEFAULT_SCREENSHOT_DIR = "var/screenshots"
LOCAL_HOST = "127.0.0.1"
BLOCKING_IMPACTS = ("serious", "critical")
# Elements shown per violation: enough to find the pattern, few enough to read.
NODES_SHOWN = 5
# Django's file email backend ends every message with a line of 79 dashes.
_MESSAGE_END = re.compile(rb"^-{79}$", re.MULTILINE)
_LINK = re.compile(r"https?://[^\s<>\"')]+")


# -- another origin -------------------------------------------------------------------------------


@dataclass
class OffsiteGuard:
    """A context's route handler: requests to 127.0.0.1 go through; any other is aborted and kept."""

    requests: list[str] = field(default_factory=list)

    def handle(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST:
            route.fallback()
            return
        self.requests.append(url)
        route.abort("blockedbyclient")


# -- page checks ----------------------------------------------------------------------------------

# The elements reaching past the right edge of the viewport, named for a failure message; what a
# box scrolling on its own holds (a wide table in .table-scroll) is that box's business.
_OVERFLOWING = """
(width) => Array.from(document.querySelectorAll('body *'))
  .filter((element) => element.getBoundingClientRect().right > width)
  .filter((element) => !element.parentElement.closest('.table-scroll, pre'))
  .slice(0, 10)
  .map((element) => {
    const id = element.id ? '#' + element.id : '';
    const classes = Array.from(element.classList).map((name) => '.' + name).join('');
    const right = Math.round(element.getBoundingClientRect().right);
    return `${element.tagName.toLowerCase()}${id}${classes} (right edge ${right} px)`;
  })
"""


def assert_no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the viewport (wide content scrolls in its own box)."""
    # A walk's expectation can pass on the new page's DOM while its stylesheets still load (a busy
    # machine); measured before they apply, a table meant to scroll in its box widens the page.
    page.wait_for_load_state("load")
    viewport = page.viewport_size
    assert viewport is not None, "the page has no fixed viewport"
    width = viewport["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        overflowing = "\n  ".join(page.evaluate(_OVERFLOWING, width))
        raise AssertionError(
            f"{page.url} scrolls sideways at {width} px: it is {scroll_width} px wide; past the edge:\n  {overflowing}"
        )


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation in the page as it is now (styled: contrast
    is judged on the page's own stylesheets, so they must have loaded)."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    if blocking:
        raise AssertionError(f"axe-core finds in {page.url}:\n{describe_violations(blocking)}")


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations for people: rule, impact, what it asks, and each element with the fix."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:NODES_SHOWN]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"      {line.strip()}" for line in summary.splitlines() if line.strip())
        if len(violation["nodes"]) > NODES_SHOWN:
            lines.append(f"    and {len(violation['nodes']) - NODES_SHOWN} more elements")
    return "\n".join(lines)


# -- screenshots ----------------------------------------------------------------------------------


def screenshot_dir() -> Path:
    """var/screenshots/ (ignored by git), or what ``RETURNDESK_SCREENSHOT_DIR`` names (relative to
    the repository): ``make screenshots`` names docs/screenshots/."""
    directory = Path(os.environ.get(SCREENSHOT_DIR) or DEFAULT_SCREENSHOT_DIR)
    return directory if directory.is_absolute() else REPOSITORY / directory


def save_screenshot(page: Page, name: str, *, secrets: list[str]) -> Path:
    """The whole page as ``NAME-WIDTH.png``, password fields and any text showing ``secrets`` masked."""
    viewport = page.viewport_size
    width = viewport["width"] if viewport else "auto"
    directory = screenshot_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{width}.png"
    masked = [page.locator("input[type=password]"), *(page.get_by_text(secret) for secret in secrets if secret)]
    page.screenshot(path=path, full_page=True, animations="disabled", mask=masked)
    return path


# -- the served demo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """One message the demo sent, as Django's file email backend wrote it."""

    to: tuple[str, ...]
    subject: str
    body: str

    @property
    def links(self) -> list[str]:
        """Every http(s) URL in the body, in order."""
        return _LINK.findall(self.body)


def mailbox(directory: Path) -> list[Mail]:
    """Every message in a file email backend's directory, newest first (none when it is missing)."""
    if not directory.is_dir():
        return []
    # One file per connection, its messages in the order sent; files by when they were last written.
    files = sorted(directory.iterdir(), key=lambda path: path.stat().st_mtime_ns)
    messages = [message for path in files for message in _messages(path.read_bytes())]
    return messages[::-1]


def _messages(written: bytes) -> list[Mail]:
    found = []
    for chunk in _MESSAGE_END.split(written):
        if not chunk.strip():
            continue
        message = email.message_from_bytes(chunk.strip(b"\n"), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
        recipients = tuple(address.addr_spec for address in message["To"].addresses) if message["To"] else ()
        found.append(Mail(to=recipients, subject=str(message.get("Subject", "")), body=body))
    return found


@dataclass(frozen=True)
class Demo:
    """A served demo: its URL, data directory, the rows of its keys file, and its mailbox."""

    server: Server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def data_dir(self) -> Path:
        return self.server.data_dir

    @property
    def rows(self) -> list[DemoSecret]:
        """The keys file's rows (role, name, secret), read now: an older demo gains rows on ``serve``."""
        text = (self.data_dir / KEYS_FILE).read_text()
        return [DemoSecret(*line.split("\t")) for line in text.splitlines() if line]

    def secret(self, role: str, name: str | None = None) -> str:
        """The secret of the first row of ``role`` (and ``name``, when given)."""
        for row in self.rows:
            if row.role == role and name in (None, row.name):
                return row.secret
        raise LookupError(f"{KEYS_FILE} has no row for {role!r} {name or ''}")

    def mail(self, to: str | None = None) -> list[Mail]:
        """The messages in ``mail/``, newest first; only those to ``to`` (any case) when given."""
        messages = mailbox(self.data_dir / "mail")
        if to is None:
            return messages
        return [message for message in messages if to.lower() in (address.lower() for address in message.to)]

    def api(self, path: str, *, key: str) -> Any:
        """GET an API path with ``key``: the JSON body of a 200 answer."""
        answer = self.server.get(path, key=key)
        assert answer.status == 200, f"GET {path}: {answer.status} {answer.body[:500]!r}"
        return json.loads(answer.body)
