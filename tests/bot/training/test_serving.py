"""Which model the replicas pull: being deployed, else live, else the baseline; fingerprints."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.training.runs import BASELINE_MODEL, begin_run
from bot.training.serving import Fingerprints, served_model
from bot.training.tables import ModelRun
from tests.bot.training.test_pipeline import add_run


def served(factory: sessionmaker[Session], models: Path) -> str | None:
    with factory() as session:
        path = served_model(session, models)
    return path.name if path else None


def set_run(factory: sessionmaker[Session], run_id: int, **columns: object) -> None:
    with factory.begin() as session:
        run = session.get(ModelRun, run_id)
        assert run is not None
        for name, value in columns.items():
            setattr(run, name, value)


def test_nothing_to_serve_without_any_model(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert served(session_factory, tmp_path / "models") is None


def test_the_baseline_then_the_run_in_its_deploy_stage_then_the_live_one(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    (models / "runs").mkdir(parents=True)
    (models / BASELINE_MODEL).write_bytes(b"baseline")
    assert served(session_factory, models) == BASELINE_MODEL

    new = models / "runs" / "run-1.tar.gz"
    new.write_bytes(b"new")
    with session_factory.begin() as session:
        settings = Settings.from_env({"MODELS_DIR": str(models)}, root=tmp_path)
        run, lock = begin_run(session, settings, "train", "rita")
        run_id = run.id
    try:
        set_run(session_factory, run_id, stage="test", model_path=str(new))
        assert served(session_factory, models) == BASELINE_MODEL  # tested, not deployed yet
        set_run(session_factory, run_id, stage="deploy")
        assert served(session_factory, models) == "run-1.tar.gz"  # the replicas pull it now
        set_run(session_factory, run_id, state="deployed", stage="done", deployed_at=run.started_at)
        assert served(session_factory, models) == "run-1.tar.gz"  # and keep it: it is live
    finally:
        lock.release()


def test_a_deploy_that_failed_gives_the_live_model_back(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    add_run(session_factory, models, "run-1.tar.gz")  # live
    add_run(session_factory, models, "run-2.tar.gz", state="running", stage="deploy",
            deployed_at=None)  # fmt: skip
    assert served(session_factory, models) == "run-2.tar.gz"

    set_run(session_factory, 2, state="failed", error="2 of 2 Rasa replicas did not serve")
    assert served(session_factory, models) == "run-1.tar.gz"


def test_a_rollback_in_its_deploy_stage_serves_its_target(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    first = add_run(session_factory, models, "run-1.tar.gz")
    add_run(session_factory, models, "run-2.tar.gz")  # live
    with session_factory.begin() as session:
        session.add(
            ModelRun(kind="rollback", state="running", stage="deploy", model_path=str(first))
        )
    assert served(session_factory, models) == "run-1.tar.gz"


def test_a_deploying_model_whose_file_is_gone_is_not_served(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    add_run(session_factory, models, "run-1.tar.gz")
    gone = add_run(session_factory, models, "run-2.tar.gz", state="running", stage="deploy",
                   deployed_at=None)  # fmt: skip
    gone.unlink()
    assert served(session_factory, models) == "run-1.tar.gz"


def test_a_fingerprint_is_computed_once_per_file_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "run-1.tar.gz"
    model.write_bytes(b"A" * 3_000_000)
    fingerprints = Fingerprints()
    first = fingerprints.of(model)
    assert first == hashlib.sha256(b"run-1.tar.gz\0" + b"A" * 3_000_000).hexdigest()

    opened: list[Path] = []
    real_open = Path.open

    def recording_open(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", recording_open)
    assert fingerprints.of(model) == first
    assert opened == []  # not read again: same size and modification time

    model.write_bytes(b"B" * 3_000_000)
    os.utime(model, ns=(1, 1))  # another version, whatever the clock's resolution
    opened.clear()  # write_bytes opened it too
    assert fingerprints.of(model) != first
    assert opened == [model]


def test_the_same_bytes_under_another_name_are_another_model(tmp_path: Path) -> None:
    (tmp_path / "assistant.tar.gz").write_bytes(b"model")
    (tmp_path / "run-1.tar.gz").write_bytes(b"model")
    fingerprints = Fingerprints()
    assert fingerprints.of(tmp_path / "assistant.tar.gz") != fingerprints.of(
        tmp_path / "run-1.tar.gz"
    )
