"""The run page of "train and deploy" in Chromium: its script follows the run until it ends.

The run's progress is written to the database here, as the pipeline's thread would;
the web app runs alone (no Rasa needed for the staff pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory, upgrade
from bot.staff.accounts import add_user
from bot.training.runs import take_lock
from bot.training.tables import ModelRun
from tests.support.stack import WebApp, free_port, running_web_app

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture
def factory(database_url: str) -> sessionmaker[Session]:
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        add_user(session, "rita", "reviewer", PASSWORD)
    return factory


@pytest.fixture
def admin_app(
    tmp_path: Path, database_url: str, factory: sessionmaker[Session]
) -> Iterator[WebApp]:
    with running_web_app(
        tmp_path / "web",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        env={
            "DATABASE_URL": database_url,
            "MODELS_DIR": str(tmp_path / "models"),
        },
    ) as app:
        yield app


def test_the_run_page_shows_progress_as_it_happens(
    browser: Browser,
    admin_app: WebApp,
    factory: sessionmaker[Session],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    with factory.begin() as session:
        run = ModelRun(kind="train", started_by="rita", state="running", stage="validate")
        session.add(run)
    lock = take_lock(tmp_path / "models")  # the run's process is alive while this is held
    assert lock is not None
    context = browser.new_context(base_url=admin_app.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto("/admin/login")
        page.fill("#name", "rita")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"/admin/models/runs/{run.id}")
        expect(page.locator("#run-state")).to_have_text("running")
        expect(page.locator("#run-stage")).to_have_text("validate")

        with factory.begin() as session:
            row = session.get(ModelRun, run.id)
            row.stage = "train"
            row.log_tail = "Epochs:  50%|#####     | 25/50 [01:00<01:00]"
        expect(page.locator("#run-stage")).to_have_text("train")
        expect(page.locator("#run-progress")).to_have_attribute("value", "42")
        expect(page.locator("#run-percent")).to_have_text("42")
        expect(page.locator("#run-log")).to_contain_text("25/50")
        page.screenshot(path=str(screenshots / "admin-model-run.png"), full_page=True)

        with factory.begin() as session:
            row = session.get(ModelRun, run.id)
            row.state, row.stage, row.error = "failed", "test", "The new model failed."
            row.test_results = {"stories_total": 211, "stories_passed": 210}
        expect(page.locator("#run-state")).to_have_text("failed")
        expect(page.locator("#run-error")).to_have_text("The new model failed.")
        expect(page.locator("#run-error")).to_be_visible()
        expect(page.locator("#run-tests")).to_have_text("210 of 211 test stories passed.")
        assert errors == []
    finally:
        lock.release()
        context.close()
