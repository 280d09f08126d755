"""Browser fixtures: the test app served over HTTP, and the system Chromium through Playwright.

``live_server`` serves the same ``app`` (and so the same database) as the test, from a thread;
the test thread keeps its app context, so a test can build data with the factories and look
at the database while the browser drives the server.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request; errors are still logged."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_server(app):
    """Serve ``app`` on 127.0.0.1 at a free port; yields the base URL without a trailing slash."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="session")
def _playwright():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need the system Chromium at {CHROMIUM}")
    try:
        browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure means: no browser here
        pytest.skip(f"Playwright could not launch {CHROMIUM}: {exc}")
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page in its own context (no cookies), Norwegian locale, at desktop size."""
    context = browser.new_context(locale="nb-NO", base_url=live_server, viewport=DESKTOP)
    context.set_default_timeout(5000)
    # A page load may wait longer than a click: a chart page's plotly.js (4.8 MB) is compiled
    # on a machine that is running the other database's suite beside this one.
    context.set_default_navigation_timeout(20000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot of ``page`` as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
