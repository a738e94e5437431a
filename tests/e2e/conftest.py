"""End-to-end fixtures: the real service under uvicorn, driven by Playwright in Debian's Chromium.

The server process shares the test database, so tests arrange data with the `session` fixture.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import PASSWORD

AXE = Path(__file__).with_name("axe.min.js")
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("ATA_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {path}; CI must run the browser tests")
        pytest.skip(f"Chromium not found at {path} (make test installs it)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(settings) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "ATA_DATABASE_URL": settings.database_url, "ATA_ENV": "test",
           "ATA_SECRET_KEY": settings.secret_key,
           # Stop at once on terminate(): no balancer to drain from (api/core/draining.py).
           "ATA_SHUTDOWN_DRAIN_SECONDS": "0"}
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                pytest.fail("the server exited during start-up")
            time.sleep(0.1)
        else:
            pytest.fail("the server did not become ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, engine):
    context = browser.new_context(base_url=server)
    page = context.new_page()
    errors: list[str] = []

    def _console(message) -> None:
        # A page answered 401/404 on purpose is logged as a failed load; subresources are
        # checked below instead, by their own status.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def _response(response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            errors.append(f"{response.status} {response.url}")

    page.on("console", _console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", _response)
    page.console_errors = errors
    yield page
    context.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def accessible(page, shot: str | None = None) -> None:
    """axe-core finds no serious or critical violation here; `shot` saves the page for the README."""
    assert axe_violations(page) == [], page.url
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def accessible_at_both_widths(page, shot: str | None = None) -> None:
    """axe-core at a desktop's width and a 390px phone's (`shot`: screenshots named
    `<shot>-1280` and `<shot>-390`), nothing scrolling sideways at either; then back to the desktop."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        # NHS.UK's header moves the links that do not fit into its "More" menu in an animation
        # frame after a resize; checked before that, they are caught half moved (blue on blue).
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        accessible(page, f"{shot}-{size['width']}" if shot else None)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], (page.url, size)
    page.set_viewport_size(DESKTOP)


def sign_in_as(page, email: str, password: str = PASSWORD) -> None:
    """Through the real sign-in form, landing on My dashboard."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.x A/AA (and 2.2 AA) violations on the current page."""
    # Evaluated through the DevTools protocol: a <script> tag would be (rightly) refused by our CSP.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
