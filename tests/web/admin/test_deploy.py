"""/admin/models: history, roles, CSRF, refusals, a run in the background, stale runs."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.training.runs import STALE_REASON, take_lock
from bot.training.tables import ModelRun, TrainingExample
from tests.support.stack import copy_project
from tests.support.staff_client import csrf_token

# A starter example of `ask_trial_phases` (data/nlu/trials.yml): taught to another intent,
# `rasa data validate` warns, which fails the run.
TAKEN = "what are the phases of a clinical trial"


@pytest.fixture
def admin_settings(admin_settings: Settings, tmp_path: Path) -> Settings:
    project = tmp_path / "project"
    return dataclasses.replace(
        admin_settings,
        rasa_token="secret-token",
        project_dir=project,
        models_dir=tmp_path / "models",
        staff_examples_file=project / "data" / "nlu" / "staff_examples.yml",
    )


def runs(factory: sessionmaker[Session]) -> list[ModelRun]:
    with factory() as session:
        return list(session.scalars(select(ModelRun).order_by(ModelRun.id)))


def add_deployed(factory: sessionmaker[Session], models: Path, name: str, by: str) -> None:
    path = models / "runs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"model")
    with factory.begin() as session:
        session.add(
            ModelRun(
                kind="train",
                started_by=by,
                state="deployed",
                stage="done",
                model_path=str(path),
                deployed_at=datetime.now(timezone.utc) - timedelta(minutes=5),
                test_results={"stories_total": 211, "stories_passed": 211, "stories_failed": 0},
            )
        )


def test_history_shows_each_run_its_tests_and_the_live_model(
    signed_in: Callable[[str], TestClient],
    session_factory: sessionmaker[Session],
    admin_settings: Settings,
) -> None:
    add_deployed(session_factory, admin_settings.models_dir, "run-1.tar.gz", "rita")
    with session_factory.begin() as session:
        session.add(
            ModelRun(
                kind="train",
                started_by="alice",
                state="failed",
                stage="test",
                error="The new model failed the test stories.",
                test_results={"stories_current": True, "passed": False, "stories_failed": 2},
            )
        )
    rita = signed_in("rita")
    assert 'href="/admin/models">Train and deploy</a>' in rita.get("/admin/").text
    page = rita.get("/admin/models")
    assert page.status_code == 200
    assert page.template.name == "admin/models.html"  # type: ignore[attr-defined]
    html = page.text
    assert "run-1.tar.gz <strong>(live now)</strong>" in html
    assert "211 of 211 test stories passed" in html
    assert "failed at test" in html and "2 test story failed" in html
    assert "There is no earlier model to roll back to." in html
    assert 'action="/admin/models/train"' in html


def test_an_editor_cannot_see_start_or_roll_back(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    home = eddie.get("/admin/").text
    assert "/admin/models" not in home
    token = csrf_token(home)
    assert eddie.get("/admin/models").status_code == 403
    for action in ("train", "rollback"):
        response = eddie.post(f"/admin/models/{action}", data={"csrf_token": token})
        assert response.status_code == 403
    assert runs(session_factory) == []


def test_a_post_without_the_csrf_token_changes_nothing(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    rita = signed_in("rita")
    assert rita.post("/admin/models/train", data={}).status_code == 403
    assert rita.post("/admin/models/train", data={"csrf_token": "forged"}).status_code == 403
    assert runs(session_factory) == []


def test_a_second_start_is_refused_with_a_clear_message(
    signed_in: Callable[[str], TestClient],
    session_factory: sessionmaker[Session],
    admin_settings: Settings,
) -> None:
    with session_factory.begin() as session:
        session.add(ModelRun(kind="train", started_by="alice", state="running", stage="train"))
    lock = take_lock(admin_settings.models_dir)  # alice's run, working in another process
    assert lock is not None
    try:
        rita = signed_in("rita")
        page = rita.get("/admin/models")
        assert "A train is running, started by alice" in page.text
        response = rita.post("/admin/models/train", data={"csrf_token": csrf_token(page.text)})
        assert response.status_code == 409
        assert "Another training or rollback is running (started by alice)" in response.text
    finally:
        lock.release()
    assert [r.state for r in runs(session_factory)] == ["running"]


def test_rollback_without_an_earlier_model_is_refused(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    rita = signed_in("rita")
    token = csrf_token(rita.get("/admin/models").text)
    response = rita.post("/admin/models/rollback", data={"csrf_token": token})
    assert response.status_code == 409
    assert "There is no earlier model to roll back to." in response.text
    assert runs(session_factory) == []


@pytest.mark.runs_rasa
def test_a_run_works_in_the_background_and_its_page_reports_the_failure(
    signed_in: Callable[[str], TestClient],
    session_factory: sessionmaker[Session],
    admin_settings: Settings,
) -> None:
    copy_project(admin_settings.project_dir)
    with session_factory.begin() as session:  # a starter example of another intent
        session.add(TrainingExample(text=TAKEN, intent="ask_joining_a_trial", added_by="eddie"))
    rita = signed_in("rita")
    token = csrf_token(rita.get("/admin/models").text)

    response = rita.post("/admin/models/train", data={"csrf_token": token})

    assert response.status_code == 303
    [run] = runs(session_factory)
    assert response.headers["location"] == f"/admin/models/runs/{run.id}?notice=run-started"
    page = rita.get(response.headers["location"])
    assert "Training started." in page.text and "model_run.js" in page.text
    assert rita.get("/admin/").status_code == 200  # the app answers while the run works
    deadline = time.monotonic() + 180
    while (status := rita.get(f"/admin/models/runs/{run.id}/status").json())["running"]:
        assert time.monotonic() < deadline, status
        time.sleep(1)
    assert (status["state"], status["stage"]) == ("failed", "validate")
    assert "rasa data validate" in status["error"]
    assert "ask_joining_a_trial, ask_trial_phases" in status["log"]
    assert TAKEN not in status["log"]
    page = rita.get(f"/admin/models/runs/{run.id}")
    assert "rasa data validate" in page.text and 'role="alert"' in page.text


def test_a_run_whose_process_died_is_shown_as_stopped(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        session.add(ModelRun(kind="train", started_by="rita", state="running", stage="train"))
    [run] = runs(session_factory)
    rita = signed_in("rita")
    status = rita.get(f"/admin/models/runs/{run.id}/status").json()
    assert (status["state"], status["running"], status["error"]) == ("failed", False, STALE_REASON)
    assert "Stopped before it finished" in rita.get(f"/admin/models/runs/{run.id}").text
    assert rita.get("/admin/models/runs/999").status_code == 404
