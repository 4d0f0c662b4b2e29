"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser) against
pytest-django's live server.

Every test under tests/e2e is marked ``e2e`` (``make test`` runs them on their own, with
``DJANGO_ALLOW_ASYNC_UNSAFE=1``: Playwright's sync API runs an event loop in the test thread, and
Django refuses ORM calls from a thread with a running loop unless told otherwise). A failing test
leaves ``test-artifacts/e2e/<test>.png`` (full page) and ``<test>.html`` behind.

Each page records what a test usually wants to assert on at the end:
``page.console_errors`` (console errors and uncaught exceptions), ``page.csp_violations``
(``securitypolicyviolation`` events, reported through a binding so they survive navigations) and
``page.responses`` (``(status, url)`` of every response, plus ``(0, url)`` for failed requests).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
SCREENSHOTS = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "sanxin2026"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Runs in every document before its own scripts; bindings are not subject to the page's CSP.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__sanxinCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} ` +
                              `at ${e.sourceFile || document.URL}:${e.lineNumber}`);
});
"""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # tryfirst: the marker must be on the items before ``-m e2e`` / ``-m "not e2e"`` selects them.
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # item.rep_setup / rep_call / rep_teardown: the page fixture's finalizer reads rep_call.
    setattr(item, f"rep_{report.when}", report)
    return report


def chromium_executable() -> str:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    return executable


def launch_chromium(pw, **kwargs):
    return pw.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS, **kwargs
    )


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = launch_chromium(playwright_instance)
    yield b
    b.close()


def _artifact_name(node) -> str:
    return re.sub(r"[^\w.-]+", "_", node.name).strip("_")[:150]


def open_page(browser, base_url: str, viewport: dict):
    """A fresh context (own cookies) and page that records console errors, CSP violations and
    responses."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.console_errors = []
    page.csp_violations = []
    page.responses = []
    context.expose_binding("__sanxinCspViolation", lambda _source, text: page.csp_violations.append(text))
    context.add_init_script(_CSP_LISTENER)
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("response", lambda r: page.responses.append((r.status, r.url)))
    page.on("requestfailed", lambda r: page.responses.append((0, r.url)))
    return page


def _page(browser, request, live_server, viewport, suffix=""):
    page = open_page(browser, live_server.url, viewport)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = ARTIFACTS / f"{_artifact_name(request.node)}{suffix}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            stem.with_suffix(".html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"e2e: no failure screenshot for {request.node.nodeid}: {exc}")
    page.context.close()


@pytest.fixture
def page(browser, request, live_server, transactional_db):
    yield from _page(browser, request, live_server, DESKTOP)


@pytest.fixture
def phone_page(browser, request, live_server, transactional_db):
    yield from _page(browser, request, live_server, PHONE, suffix="-phone")


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once per session on SQLite and kept aside as a database file (SQLite's online
    backup), so that each test starts from a fresh copy in a second instead of rebuilding it; None on
    other databases (each test builds its own there)."""
    import sqlite3

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    with django_db_blocker.unblock():
        call_command("demo", quiet=True)
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        call_command("flush", interactive=False, verbosity=0)
    return path


@pytest.fixture
def demo(transactional_db, demo_snapshot):
    import sqlite3

    from django.core.management import call_command
    from django.db import connection

    if demo_snapshot is None:
        call_command("demo", quiet=True)
        return
    connection.ensure_connection()
    source = sqlite3.connect(demo_snapshot)
    try:
        source.backup(connection.connection)  # the whole database, sequences included
    finally:
        source.close()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the Chinese login page as a person would; returns on the next page, which
    is the login page again (with its error) when the password is wrong."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    # A form POST always navigates (302 to home, or 200 with the form and its error).
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state("networkidle")


def rendered_fonts(page, selector: str) -> list[str]:
    """The platform fonts chromium actually used to draw the text under ``selector`` (DevTools'
    "Rendered Fonts"). Unlike ``document.fonts.check()``, which answers true for any font name that
    is not a web font, installed or not, this names the font whose glyphs are on the screen: a
    missing CJK font shows as a Latin font (whose missing-glyph box is drawn) instead."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element matches {selector!r}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return [f["familyName"] for f in fonts]


def is_cjk_font(family: str) -> bool:
    return bool(re.search(r"CJK|Han Sans|Han Serif|PingFang|YaHei|WenQuanYi|Hei|Song", family))
