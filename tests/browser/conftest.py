"""A real server and a real Chromium for journey tests (skipped without Chromium; CI has it)."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests import factories
from tests.conftest import missing_service

CHROMIUM = os.environ.get("SPA_TEST_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(app):
    """Serve ``app`` on a free local port in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("the playwright package is not installed")
    if not os.path.exists(CHROMIUM):
        missing_service(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    """A phone-sized page with JavaScript turned off: every journey must work without it."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def axe_check(chromium):
    """Check a URL with axe-core in a JavaScript-enabled page; returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = chromium.new_context()

    def check(url: str, cookies=None) -> list[dict]:
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.goto(url)
        result = axe.run(page)
        page.close()
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
            for v in result.response["violations"]
        ]

    yield check
    context.close()


def log_in(page, base: str, user) -> None:
    """Log ``user`` in through the login form (factories' password)."""
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
