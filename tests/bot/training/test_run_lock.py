"""The run lock without Redis (a file lock), and with a Redis that does not answer.

The Redis lock shared by two hosts is in tests/e2e/test_redis_state.py (a real Redis).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.training.run_lock import FileRunLock, take_lock
from bot.training.runs import RunRefused, begin_run, settle_stale_runs
from bot.training.tables import ModelRun
from tests.support.stack import free_port


def test_without_redis_the_lock_is_a_file_lock_taken_once(tmp_path: Path) -> None:
    held = take_lock(tmp_path)
    assert isinstance(held, FileRunLock)
    assert (tmp_path / "runs" / ".run.lock").is_file()
    assert take_lock(tmp_path) is None
    held.release()
    held.release()  # twice: no error
    again = take_lock(tmp_path)
    assert again is not None
    again.release()


@pytest.fixture
def redis_down(settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose REDIS_URL points at a port where nothing listens."""
    url = f"redis://:pw@127.0.0.1:{free_port()}/0"
    return dataclasses.replace(settings, redis_url=url, models_dir=tmp_path / "models")


def test_a_run_cannot_start_when_redis_does_not_answer(
    redis_down: Settings, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(RunRefused, match="Redis"):
        begin_run(session, redis_down, "train", "rita")
    with session_factory() as session:
        assert session.scalars(select(ModelRun)).all() == []
    assert take_lock(redis_down.models_dir) is not None, "no file lock was taken instead"


def test_a_running_run_is_left_alone_when_redis_does_not_answer(
    redis_down: Settings, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        session.add(ModelRun(kind="train", started_by="rita", state="running", stage="train"))
    with session_factory.begin() as session:
        settle_stale_runs(session, redis_down)  # alive on another host, for all we know
    with session_factory() as session:
        assert session.scalars(select(ModelRun.state)).all() == ["running"]
