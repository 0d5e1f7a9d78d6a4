"""A real server and a real Chromium for journey tests (skipped without Chromium; CI has it)."""

from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from aiosmtpd.handlers import Mailbox
from werkzeug.serving import make_server

from tests import factories
from tests.conftest import PROJECT_ROOT, missing_service, serving

CHROMIUM = os.environ.get("SPA_TEST_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Screenshots of each journey step; CI keeps the folder, git ignores it.
ARTIFACTS = PROJECT_ROOT / ".artifacts"
BLOCKING = ("critical", "serious")


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
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
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


def menu(page, name, role: str = "link"):
    """The menu item ``name`` (a link, or the log-out button), opening the menu first where it
    is a button (a phone): what a person taps to get there."""
    page.wait_for_load_state()  # the stylesheet decides whether the menu is a button
    item = page.locator("#menu nav").get_by_role(role, name=name)
    if not item.is_visible():
        page.locator("#menu > summary").click()
    return item


def log_in(page, base: str, user, password: str = factories.PASSWORD) -> None:
    """Log ``user`` in through the login form (factories' password unless told another)."""
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def mail_sink(app, tmp_path):
    """A real local SMTP server filing mail in a Maildir that /staff/mail-sink reads, as under
    ``make run``; its ``port`` is for ``mail_settings``."""
    folder = tmp_path / "mail"
    with serving(Mailbox(folder)) as handler:
        app.config["MAIL_SINK_DIR"] = str(folder)
        yield handler


@contextmanager
def recorded(chromium, request, viewport: dict, *, scripts: bool = False,
             locale: str | None = None, page=None):  # fmt: skip
    """A journey on a page of ``viewport`` (JavaScript off unless ``scripts``, the browser's
    language ``locale``; or on ``page``, given): ``step(name)`` saves a numbered full-page
    screenshot and fails on any serious or critical axe finding, or on a page that scrolls
    sideways."""
    from axe_playwright_python.sync_playwright import Axe

    context = None
    if page is None:
        context = chromium.new_context(
            viewport=viewport, java_script_enabled=scripts, locale=locale
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
    # axe needs JavaScript: it runs on the page's own HTML replayed in a context that has it.
    auditor = chromium.new_context(viewport=viewport, locale=locale)
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    axe = Axe()
    try:
        yield Journey(page, folder, lambda shown, headers: _audit(shown, headers, auditor, axe))
    finally:
        auditor.close()
        if context is not None:
            context.close()


@pytest.fixture
def journey(request, phone, chromium):
    """A journey on ``phone`` (no JavaScript): every journey must work without it."""
    with recorded(chromium, request, PHONE, page=phone) as steps:
        yield steps


@pytest.fixture
def desktop_journey(request, chromium):
    """A journey on a wide screen, JavaScript off."""
    with recorded(chromium, request, DESKTOP) as steps:
        yield steps


@pytest.fixture(params=["phone", "desktop"])
def walk(request):
    """The journey on a phone and on a wide screen, both without JavaScript."""
    return request.getfixturevalue("journey" if request.param == "phone" else "desktop_journey")


@pytest.fixture(params=["phone", "desktop"])
def device(request, chromium):
    """The journey on a phone without JavaScript and on a desktop with it."""
    on_phone = request.param == "phone"
    with recorded(chromium, request, PHONE if on_phone else DESKTOP, scripts=not on_phone) as steps:
        yield steps


class Journey:
    """The steps of one test's journey, numbered in the order taken."""

    def __init__(self, page, folder: Path, audit):
        self.page, self.folder, self.audit = page, folder, audit
        self.steps: list[str] = []
        self.headers: dict[str, str] = {}
        page.on("response", self._keep_headers)

    def _keep_headers(self, response) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self.headers = response.headers

    def step(self, name: str) -> list[dict]:
        """Screenshot and audit the current page; returns its minor and moderate violations."""
        self.steps.append(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.steps):02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        found = self.audit(self.page, self.headers)
        blocking = [v for v in found if v["impact"] in BLOCKING]
        assert not blocking, f"{name} ({self.page.url}): " + "; ".join(map(_describe, blocking))
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= self.page.viewport_size["width"], f"{name}: the page scrolls sideways"
        return [v for v in found if v["impact"] not in BLOCKING]


def _audit(phone, headers: dict[str, str], auditor, axe) -> list[dict]:
    """Run axe on the DOM the phone shows, replayed at phone size in a page with JavaScript.

    Replaying the phone's HTML (with the app's headers, so its Content-Security-Policy holds)
    rather than loading the URL again checks what the phone saw: a form returned with its
    errors, a message shown once after a redirect, a page reached by POST.
    """
    url, html = urldefrag(phone.url).url, phone.content()
    # The body is re-encoded and whole: the original length and encoding no longer apply.
    headers = {k: v for k, v in headers.items() if k not in ("content-length", "content-encoding")}

    def serve(route):
        if route.request.is_navigation_request() and urldefrag(route.request.url).url == url:
            route.fulfill(status=200, headers=headers, body=html)
        else:
            route.continue_()

    page = auditor.new_page()
    page.route("**/*", serve)
    try:
        page.goto(url)
        result = axe.run(page)
    finally:
        page.close()
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]]}
        for v in result.response["violations"]
    ]  # fmt: skip


def _describe(violation: dict) -> str:
    return f"{violation['impact']} {violation['id']} ({violation['help']}) at " + ", ".join(
        violation["targets"][:5]
    )
