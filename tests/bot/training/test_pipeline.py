"""Train and deploy: refusals, stale runs, rollback targets, and a real validation failure.

The Rasa server here is a small recording HTTP server (the real one is in
tests/e2e/test_train_and_deploy.py): it shows which requests the pipeline sent.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.settings import Settings
from bot.staff.audit import recent_events
from bot.training.pipeline import read_test_results, start_rollback, start_training
from bot.training.rasa_server import RasaServerError
from bot.training.runs import (
    STALE_REASON,
    RunRefused,
    rollback_target,
    settle_stale_runs,
    take_lock,
)
from bot.training.tables import ModelRun, TrainingExample
from tests.support.fake_rasa import FakeRasa, running_fake_rasa
from tests.support.stack import copy_project

# A starter example of `ask_trial_phases` (data/nlu/trials.yml).
TAKEN = "what are the phases of a clinical trial"


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as server:
        yield server


@pytest.fixture
def deploy_settings(settings: Settings, tmp_path: Path, rasa: FakeRasa) -> Settings:
    project = tmp_path / "project"
    project.mkdir()
    return dataclasses.replace(
        settings,
        rasa_url=rasa.url,
        rasa_token="secret-token",
        project_dir=project,
        models_dir=tmp_path / "models",
        staff_examples_file=project / "data" / "nlu" / "staff_examples.yml",
    )


def add_run(factory: sessionmaker[Session], models: Path, name: str, **fields: object) -> Path:
    """A past run whose model file exists (and was deployed, unless told otherwise)."""
    path = models / "runs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"model")
    earlier = timedelta(minutes=10) - timedelta(seconds=len(list(path.parent.iterdir())))
    moment = datetime.now(timezone.utc) - earlier
    values: dict[str, object] = {"kind": "train", "state": "deployed", "deployed_at": moment}
    values.update(fields)
    with factory.begin() as session:
        session.add(ModelRun(started_by="rita", model_path=str(path), **values))
    return path


@pytest.mark.runs_rasa
def test_validation_failure_stops_before_training_and_never_deploys(
    deploy_settings: Settings, session_factory: sessionmaker[Session], rasa: FakeRasa
) -> None:
    copy_project(deploy_settings.project_dir)
    # A starter example of another intent: `rasa data validate` warns, which fails the run.
    # An example of an intent with no published article is left out, and said so.
    with session_factory.begin() as session:
        session.add(TrainingExample(text=TAKEN, intent="ask_joining_a_trial", added_by="x"))
        session.add(TrainingExample(text="where can I park my car", intent="parking", added_by="x"))
    job = start_training(session_factory, deploy_settings, "rita")

    assert job.run() == "failed"

    with session_factory() as session:
        run = session.get(ModelRun, job.run_id)
        assert run is not None
        assert (run.state, run.stage, run.started_by) == ("failed", "validate", "rita")
        assert "rasa data validate" in (run.error or "")
        assert run.model_path is None and run.deployed_at is None
        assert "ask_joining_a_trial, ask_trial_phases" in run.log_tail  # the reason is visible...
        assert TAKEN not in run.log_tail  # ...the message is not
        assert "left out (no published article): parking" in run.log_tail
        events = [(e.actor, e.action) for e in recent_events(session)]
    assert events[:2] == [("rita", "model.train.failed"), ("rita", "model.train.start")]
    written = deploy_settings.staff_examples_file.read_text()
    assert f"- {TAKEN}" in written and "parking" not in written
    assert not list((deploy_settings.models_dir / "runs").glob("*.tar.gz"))
    assert not [r for r in rasa.requests if r[0] == "PUT"]
    assert set(job.durations) == {"examples"}  # validate never passed; train never began


def test_a_second_run_is_refused_while_one_works(
    deploy_settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    job = start_training(session_factory, deploy_settings, "rita")
    try:
        with pytest.raises(RunRefused, match=r"running \(started by rita\)"):
            start_training(session_factory, deploy_settings, "alice")
        add_run(session_factory, deploy_settings.models_dir, "run-a.tar.gz")
        add_run(session_factory, deploy_settings.models_dir, "run-b.tar.gz")
        with pytest.raises(RunRefused, match="running"):
            start_rollback(session_factory, deploy_settings, "alice")
        with session_factory.begin() as session:  # the live run is not taken for stale
            settle_stale_runs(session, deploy_settings)
            assert session.get(ModelRun, job.run_id).state == "running"  # type: ignore[union-attr]
    finally:
        job.lock.release()


def test_a_run_left_by_a_dead_process_is_marked_failed(
    deploy_settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        session.add(ModelRun(kind="train", started_by="rita", state="running", stage="train"))
    with session_factory.begin() as session:  # what the models page does on each view
        settle_stale_runs(session, deploy_settings)
    with session_factory() as session:
        [stale] = session.scalars(select(ModelRun)).all()
        assert (stale.state, stale.stage, stale.error) == ("failed", "train", STALE_REASON)

    with session_factory.begin() as session:
        session.add(ModelRun(kind="train", started_by="rita", state="running", stage="test"))
    job = start_training(session_factory, deploy_settings, "alice")  # the next start, too
    job.lock.release()
    with session_factory() as session:
        states = [r.state for r in session.scalars(select(ModelRun).order_by(ModelRun.id))]
    assert states == ["failed", "failed", "running"]


def test_rollback_is_refused_without_an_earlier_model(
    deploy_settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    with pytest.raises(RunRefused, match="no earlier model"):
        start_rollback(session_factory, deploy_settings, "rita")
    models = deploy_settings.models_dir
    models.mkdir()
    (models / "assistant.tar.gz").write_bytes(b"model")  # the starting model, still live
    with pytest.raises(RunRefused, match="no earlier model"):
        start_rollback(session_factory, deploy_settings, "rita")
    with session_factory() as session:
        assert session.scalars(select(ModelRun)).all() == []
    assert take_lock(models) is not None  # nothing kept the lock


def test_each_rollback_steps_back_one_model(
    deploy_settings: Settings, session_factory: sessionmaker[Session], rasa: FakeRasa
) -> None:
    models = deploy_settings.models_dir
    first = add_run(session_factory, models, "run-1.tar.gz")
    add_run(session_factory, models, "run-2.tar.gz", state="failed", deployed_at=None)
    second = add_run(session_factory, models, "run-3.tar.gz")
    with session_factory() as session:
        assert rollback_target(session, models) == first

    job = start_rollback(session_factory, deploy_settings, "rita")
    assert job.run() == "deployed"

    assert ("PUT", "/model?token=secret-token", {"model_file": str(first)}) in rasa.requests
    assert rasa.model_file == "run-1.tar.gz"
    with session_factory() as session:
        run = session.get(ModelRun, job.run_id)
        assert (run.kind, run.started_by, run.model_path) == ("rollback", "rita", str(first))
        assert [e.action for e in recent_events(session)][:2] == [
            "model.rollback.deployed",
            "model.rollback.start",
        ]
        with pytest.raises(RunRefused, match="no earlier model"):  # run-1 was the first
            rollback_target(session, models)
    assert second.exists()


def test_rollback_is_refused_when_the_earlier_file_is_gone(
    deploy_settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    first = add_run(session_factory, deploy_settings.models_dir, "run-1.tar.gz")
    add_run(session_factory, deploy_settings.models_dir, "run-2.tar.gz")
    first.unlink()
    with pytest.raises(RunRefused, match="file is gone"):
        start_rollback(session_factory, deploy_settings, "rita")


def test_no_token_is_refused_before_any_work(
    deploy_settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    settings = dataclasses.replace(deploy_settings, rasa_token=None)
    with pytest.raises(RasaServerError, match="RASA_AUTH_TOKEN"):
        start_training(session_factory, settings, "rita")


def test_test_results_come_from_rasas_story_report(tmp_path: Path) -> None:
    report = {"conversation_accuracy": {"accuracy": 0.5, "correct": 3, "total": 4}}
    (tmp_path / "story_report.json").write_text(json.dumps(report))
    assert read_test_results(tmp_path, passed=False) == {
        "stories_current": True,
        "passed": False,
        "stories_total": 4,
        "stories_passed": 3,
        "stories_failed": 1,
    }
    assert read_test_results(tmp_path / "none", passed=False)["stories_failed"] == "at least 1"


def test_cli_history_lists_runs_and_the_live_model(
    session_factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_run(session_factory, tmp_path / "models", "run-1.tar.gz")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MODELS_DIR", str(tmp_path / "models"))
    assert main(["model", "history"]) == 0
    out = capsys.readouterr().out
    assert "rita" in out and "run-1.tar.gz  <- live" in out
    monkeypatch.setenv("RASA_AUTH_TOKEN", "secret-token")
    assert main(["model", "rollback"]) == 1
    assert "no earlier model" in capsys.readouterr().err


@pytest.mark.runs_rasa
def test_cli_deploy_prints_the_stages_and_fails_with_the_reason(
    session_factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rasa: FakeRasa,
) -> None:
    with session_factory.begin() as session:
        session.add(TrainingExample(text=TAKEN, intent="ask_joining_a_trial", added_by="x"))
    examples = tmp_path / "staff_examples.yml"  # outside data/nlu: passed to Rasa as --data
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "MODELS_DIR": str(tmp_path / "models"),
        "STAFF_EXAMPLES_FILE": str(examples),
        "RASA_AUTH_TOKEN": "secret-token",
        "RASA_URL": rasa.url,
    }.items():
        monkeypatch.setenv(name, value)

    assert main(["model", "deploy"]) == 1

    out = capsys.readouterr().out
    assert "examples: passed" in out and "validate: started" in out
    assert "Failed at the validate stage: The training data has problems" in out
    assert "intent: ask_joining_a_trial" in examples.read_text()
    assert rasa.requests == []
