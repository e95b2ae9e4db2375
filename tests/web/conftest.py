"""The real stack for the browser tests: Rasa, actions, the web app, Debian's Chromium.

One stack and one browser for the whole session; each test gets a fresh browser
context (its own sessionStorage) and a page whose every request is recorded, so a
test fails if the page ever reaches another origin.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from bot.settings import PROJECT_ROOT
from scripts.stack import Stack, WebApp, running_stack, running_web_app

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


@pytest.fixture(scope="session")
def web_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('web-db') / 'kb.db'}"
    for command in (["db", "upgrade"], ["kb", "load"]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=PROJECT_ROOT,
            env={"DATABASE_URL": url, "PATH": ""},
            check=True,
            capture_output=True,
        )
    return url


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory, web_database_url: str) -> Iterator[Stack]:
    assert MODEL.exists(), "train first: make train"
    with running_stack(
        tmp_path_factory.mktemp("web-stack"), model=MODEL, env={"DATABASE_URL": web_database_url}
    ) as running:
        yield running


@pytest.fixture(scope="session")
def web_app(
    tmp_path_factory: pytest.TempPathFactory, web_stack: Stack, web_database_url: str
) -> Iterator[WebApp]:
    with running_web_app(
        tmp_path_factory.mktemp("web-app"),
        rasa_url=web_stack.rasa_url,
        env={"DATABASE_URL": web_database_url, "WEB_RATE_LIMIT": "600"},
    ) as app:
        yield app


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
