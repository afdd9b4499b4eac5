"""Browser tests: Debian's chromium driven by Playwright against a served, seeded demo.

Each xdist worker serves its own demo (fresh data directory, free port) for the session and
launches one browser per test module; every test gets new contexts, at 375 and 1280 px through
``page`` and ``width``. Every context aborts and records requests off 127.0.0.1: a test that made
one, and did not clear ``offsite_requests`` after checking it, fails at teardown.

Without chromium the tests skip naming the line that installs it, or fail where
``RETURNDESK_REQUIRE_SERVICES`` names ``chromium`` (CI). Never ``playwright install``: its
browser builds are not Debian's.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright

from returndesk.testing.services import unavailable
from tests.browser.harness import CHROMIUM_INSTALL, VIEWPORTS, Demo, OffsiteGuard, save_screenshot
from tests.served.harness import server_env, spawn

# Long enough for a loaded CI machine, short enough that a missing element fails in seconds.
DEFAULT_TIMEOUT_MS = 15_000

NewContext = Callable[..., BrowserContext]
Screenshot = Callable[[Page, str], Path]

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test, so that a teardown knows whether the test passed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``returndesk serve`` on a fresh data directory (so it seeds the demo, as ``make run`` does)
    and a free port, for this worker's whole session."""
    data_dir = tmp_path_factory.mktemp("demo")
    server = spawn(data_dir=data_dir, env=server_env(data_dir), log=tmp_path_factory.mktemp("log") / "serve.log")
    yield Demo(server)
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless chromium for one test module.

    Not for the session: while Playwright's sync API runs, its event loop is the thread's running
    loop, and Django refuses the ORM in a thread with a running loop; a later database test on the
    same xdist worker would fail. Launching takes well under a second.
    """
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("chromium", f"no chromium on PATH; install it with: {CHROMIUM_INSTALL}")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True)
        except Error as error:
            unavailable("chromium", f"{executable} does not start: {str(error).strip().splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture
def offsite_requests(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The URLs off 127.0.0.1 this test's pages tried (and were refused); checked to be none after a
    passing test."""
    requests: list[str] = []
    yield requests
    reports = request.node.stash.get(_reports, {})
    if "call" in reports and reports["call"].passed and requests:
        pytest.fail(f"pages requested another origin: {requests}", pytrace=False)


@pytest.fixture
def new_context(browser: Browser, demo: Demo, offsite_requests: list[str]) -> Iterator[NewContext]:
    """``new_context(width=1280, **options)``: a fresh context (own cookies) on the demo's URL, at
    ``width`` px, refusing other origins; closed after the test."""
    contexts: list[BrowserContext] = []
    guard = OffsiteGuard(offsite_requests)

    def open_context(*, width: int = 1280, **options: object) -> BrowserContext:
        context = browser.new_context(
            base_url=demo.url, viewport={"width": width, "height": VIEWPORTS.get(width, 800)}, **options
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.route("**/*", guard.handle)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture(params=sorted(VIEWPORTS), ids=lambda width: f"{width}px")
def width(request: pytest.FixtureRequest) -> int:
    """Each of the two widths a page is checked at: 375 and 1280 px."""
    return int(request.param)


@pytest.fixture
def page(new_context: NewContext, width: int) -> Page:
    """A page in a new context at ``width``; a test using it runs at both widths."""
    return new_context(width=width).new_page()


@pytest.fixture
def screenshot(demo: Demo) -> Screenshot:
    """``screenshot(page, name)``: the whole page to ``NAME-WIDTH.png`` in var/screenshots/ (or
    docs/screenshots/ under ``make screenshots``), the demo's secrets and password fields masked."""

    def take(page: Page, name: str) -> Path:
        return save_screenshot(page, name, secrets=[row.secret for row in demo.rows])

    return take
