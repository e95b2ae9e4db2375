"""The real stack for the browser tests: Rasa, actions, the web app, Debian's Chromium.

One stack and one browser for the whole session; each test gets a fresh browser
context (its own sessionStorage) and a page whose every request is recorded, so a
test fails if the page ever reaches another origin.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bot.settings import PROJECT_ROOT
from tests.support.redis_server import redis_server  # noqa: F401 (a fixture for every module)
from tests.support.stack import (
    Stack,
    WebApp,
    free_port,
    prepare_database,
    running_stack,
    running_web_app,
)

MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (`make system`); never a downloaded one
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"  # `make node`


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('web-db') / 'kb.db'}"
    prepare_database(url)
    return url


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Stack]:
    assert MODEL.exists(), "train first: make train"
    with running_stack(
        tmp_path_factory.mktemp("web-stack"), model=MODEL, env={"DATABASE_URL": web_database_url}
    ) as running:
        yield running


@pytest.fixture(scope="session")
def hospital_origin() -> str:
    """The origin of a stand-in hospital page that embeds the chat (another port)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def web_app(
    tmp_path_factory: pytest.TempPathFactory,
    web_stack: Stack,
    web_database_url: str,
    hospital_origin: str,
) -> Iterator[WebApp]:
    with running_web_app(
        tmp_path_factory.mktemp("web-app"),
        rasa_url=web_stack.rasa_url,
        env={
            "DATABASE_URL": web_database_url,
            "WEB_RATE_LIMIT": "600",
            "EMBED_ORIGINS": hospital_origin,
            # The staff inbox reads the conversations of this stack's Rasa server.
            "TRACKER_STORE_URL": f"sqlite:///{web_stack.workdir / 'conversations.db'}",
        },
    ) as app:
        yield app


@pytest.fixture(scope="session")
def hospital_page(
    tmp_path_factory: pytest.TempPathFactory, hospital_origin: str, web_app: WebApp
) -> Iterator[str]:
    """A static page on `hospital_origin` with the one-tag embed snippet."""
    folder = tmp_path_factory.mktemp("hospital")
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>Hospital</title></head><body>'
        "<h1>Our hospital</h1>"
        f'<script src="{web_app.url}/static/embed.js" defer></script></body></html>',
        encoding="utf-8",
    )
    port = hospital_origin.rsplit(":", 1)[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", port, "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", int(port))):
                break
            time.sleep(0.1)
        yield f"{hospital_origin}/index.html"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make system` (apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class RecordedPage:
    """A page plus every URL it requested."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(str(getattr(dialog, "message", "")))
        dialog.dismiss()  # type: ignore[attr-defined]

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.origin + "/")]


@pytest.fixture
def context(browser: Browser, web_app: WebApp) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=web_app.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def chat(context: BrowserContext, web_app: WebApp) -> Iterator[RecordedPage]:
    recorded = RecordedPage(context.new_page(), web_app.url)
    yield recorded
    assert recorded.foreign_requests() == [], "the page reached another origin"
    assert recorded.dialogs == [], "something opened a dialog (script ran?)"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def serious_axe_violations() -> Callable[[Page], list[dict[str, object]]]:
    """Run axe-core on a page; return its serious and critical violations."""
    script = AXE.read_text(encoding="utf-8") + "\n;true"

    def check(page: Page) -> list[dict[str, object]]:
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        page.evaluate(script)
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3)
                    .map(n => n.target.join(' '))}))"""
        )
        return [v for v in violations if v["impact"] in ("serious", "critical")]

    return check
