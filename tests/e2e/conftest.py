"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser for all the browser tests and a fresh context (cookies, storage) per test. axe-core comes from
npm (tests/e2e/package.json) and is evaluated into each page rather than added as a <script>
tag, so the portal's CSP (no inline scripts) stays switched on while we check it.

Without Chromium, npm or axe-core the tests skip with a loud reason; CI sets
PORTAL_REQUIRE_BROWSER=1 so that a missing browser fails the run instead of hiding it.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cast import build_cast

E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOT_RUN = "BROWSER TESTS DID NOT RUN"
INSTALL_CHROMIUM = (
    "install Debian's Chromium (`apt-get install chromium`) or point PORTAL_CHROMIUM at a "
    "Chromium binary"
)
INSTALL_AXE = "install Node and npm (`apt-get install npm`), then run `npm ci --prefix tests/e2e`"

# Why the browser tests did not run, for a banner at the end of the run.
_not_run_reasons = set()


def _unavailable(reason, fix):
    """Skip loudly, or fail where the run says browser tests must happen (CI)."""
    message = f"{NOT_RUN}: {reason}. To run them, {fix}."
    if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message} (PORTAL_REQUIRE_BROWSER=1 forbids skipping)", pytrace=False)
    pytest.skip(message)


def pytest_runtest_logreport(report):
    # Also sees the reports of pytest-xdist's workers, so the banner shows with -n too.
    if report.skipped and NOT_RUN in str(report.longrepr):
        _not_run_reasons.add(report.longrepr[2].removeprefix("Skipped: "))


def pytest_terminal_summary(terminalreporter):
    # A skip is easy to miss among the dots; a run without its browser tests must not look green.
    for reason in sorted(_not_run_reasons):
        terminalreporter.write_sep("!", reason, red=True, bold=True)


@pytest.fixture(scope="session")
def axe_source():
    """The text of axe.min.js, installing it from the lock file the first time."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is not installed, so axe-core could not be installed", INSTALL_AXE)
        has_lock = (E2E_DIR / "package-lock.json").exists()
        command = [
            npm,
            "ci" if has_lock else "install",
            "--prefix",
            str(E2E_DIR),
            "--no-audit",
            "--no-fund",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if result.returncode != 0 or not AXE_JS.exists():
            _unavailable(
                f"`npm {' '.join(command[1:])}` failed: {result.stderr.strip()[-500:]}", INSTALL_AXE
            )
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests.

    Package-scoped rather than session-scoped: while Playwright's sync API is started it marks
    its event loop as running in this thread, and Django then refuses database calls from the
    test code (SynchronousOnlyOperation). We allow them for as long as the browser lives, and
    stop both once the browser tests are done, so the rest of the suite keeps Django's check.
    """
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM}", INSTALL_CHROMIUM)
    # Imported here so that a machine without playwright can still collect the rest of the suite.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            # An explicit executable: Playwright must never fetch a browser of its own.
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        except Exception as error:
            playwright.stop()
            _unavailable(f"Chromium at {CHROMIUM} did not start: {error}", INSTALL_CHROMIUM)
        yield browser
        browser.close()
        playwright.stop()


@pytest.fixture
def live_cast(transactional_db):
    """The fixed cast, committed so that the live server's thread sees it."""
    return build_cast()


@pytest.fixture
def browser_errors():
    """What the browser refused under the portal's CSP, and uncaught script errors."""
    return []


@pytest.fixture
def page(browser, live_server, browser_errors):
    """A page in a fresh browser context; the test fails on any of its browser_errors."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda message: _note_csp_violation(message, browser_errors))
    page.on("pageerror", lambda error: browser_errors.append(f"uncaught script error: {error}"))
    yield page
    context.close()
    assert not browser_errors, "The browser reported:\n" + "\n".join(browser_errors)


def _note_csp_violation(message, violations):
    if message.type != "error" or "Content Security Policy" not in message.text:
        return
    # Code we evaluate ourselves has no URL. axe-core is such code: it re-parses stylesheets by
    # inserting <style> elements, which the CSP rightly refuses; that is not the page's doing.
    if not message.location.get("url"):
        return
    violations.append(
        f"{message.text} ({message.location['url']}, line {message.location['lineNumber']})"
    )
