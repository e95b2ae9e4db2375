"""The history of "train and deploy" runs: one at a time, stale runs, live model, rollback.

A run is a `ModelRun` row; the process doing the work holds the run lock
(`bot.training.run_lock`: a file lock on one machine, a Redis lock with `REDIS_URL`)
for as long as the run lasts. A process that ends, however it ends, frees the lock
(the Redis one within its timeout), so a row still `running` while nobody holds the
lock was left by a process that died: it is marked failed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import as_utc, utcnow
from bot.errors import Refused
from bot.settings import Settings
from bot.staff.audit import record
from bot.training.run_lock import LockUnavailable, RunLock, take_lock
from bot.training.tables import ModelRun

logger = logging.getLogger(__name__)

TRAIN = "train"
ROLLBACK = "rollback"
RUNNING = "running"
DEPLOYED = "deployed"
FAILED = "failed"
UNFINISHED = ("queued", RUNNING)
# The model `make run` serves: what the server had before the first deploy.
BASELINE_MODEL = "assistant.tar.gz"
STALE_REASON = (
    "Stopped before it finished: the program running it ended (for example the web app "
    "restarted). Nothing was deployed; start it again."
)


class RunRefused(Refused):
    """A run cannot start now; the message says why and what to do."""


def runs_dir(models_dir: Path) -> Path:
    """Where each run's model file goes (`run-<id>.tar.gz`)."""
    return models_dir / "runs"


def unfinished_run(session: Session) -> ModelRun | None:
    """The newest run that has not ended, or None."""
    stmt = select(ModelRun).where(ModelRun.state.in_(UNFINISHED)).order_by(ModelRun.id.desc())
    return session.scalars(stmt).first()


def fail_stale_runs(session: Session) -> list[ModelRun]:
    """Mark failed every unfinished run (call only while holding the lock)."""
    stale = list(session.scalars(select(ModelRun).where(ModelRun.state.in_(UNFINISHED))))
    for run in stale:
        run.state, run.error, run.finished_at = FAILED, STALE_REASON, utcnow()
        record(session, None, "model.stale", f"run {run.id}", {"stage": run.stage})
    return stale


def begin_run(
    session: Session, settings: Settings, kind: str, actor: str | None, **fields: object
) -> tuple[ModelRun, RunLock]:
    """Take the lock, fail stale runs, and add a new running run (flushed, with an id).

    Args:
        session: the caller's transaction; the new run and its audit event are in it.
        settings: where the lock is (`redis_url`, else a file in `models_dir`).
        kind: `train` or `rollback`.
        actor: who started it; None for the command line.
        **fields: more columns of the new run (for example `model_path`).

    Returns:
        The run and the lock, which the caller releases when the run ends.

    Raises:
        RunRefused: another run is in progress, or Redis does not answer.
    """
    try:
        lock = take_lock(settings.models_dir, settings.redis_url)
    except LockUnavailable as error:
        raise RunRefused(str(error)) from error
    if lock is None:
        busy = unfinished_run(session)
        who = f" (started by {busy.started_by or 'the command line'})" if busy else ""
        raise RunRefused(
            f"Another training or rollback is running{who}. Wait for it to finish, then try again."
        )
    try:
        fail_stale_runs(session)
        run = ModelRun(kind=kind, started_by=actor, state=RUNNING, stage="starting", **fields)
        session.add(run)
        session.flush()
        record(session, actor, f"model.{kind}.start", f"run {run.id}", {})
    except BaseException:
        lock.release()
        raise
    return run, lock


def history(session: Session, limit: int = 100) -> list[ModelRun]:
    """The newest runs first."""
    return list(session.scalars(select(ModelRun).order_by(ModelRun.id.desc()).limit(limit)))


def deployed_runs(session: Session) -> list[ModelRun]:
    """Every run that put a model on the server, oldest deployment first."""
    stmt = (
        select(ModelRun)
        .where(ModelRun.deployed_at.is_not(None))
        .order_by(ModelRun.deployed_at, ModelRun.id)
    )
    return list(session.scalars(stmt))


def live_run(session: Session) -> ModelRun | None:
    """The run whose model the server was last given (None: still the starting model)."""
    deployed = deployed_runs(session)
    return deployed[-1] if deployed else None


def live_model(session: Session, models_dir: Path) -> Path | None:
    """The model file the server serves according to the history."""
    run = live_run(session)
    if run is not None and run.model_path:
        return Path(run.model_path)
    baseline = models_dir / BASELINE_MODEL
    return baseline if baseline.exists() else None


def rollback_target(session: Session, models_dir: Path) -> Path:
    """The model deployed before the live one: where a rollback goes.

    Models form one line in the order they were first trained and deployed, after
    the starting model (`models/assistant.tar.gz`); each rollback steps one back.

    Raises:
        RunRefused: there is no earlier model, or its file is gone.
    """
    line: list[Path] = []
    baseline = models_dir / BASELINE_MODEL
    if baseline.exists():
        line.append(baseline)
    for run in deployed_runs(session):
        path = Path(run.model_path or "")
        if run.kind == TRAIN and path not in line:
            line.append(path)
    live = live_model(session, models_dir)
    index = line.index(live) if live in line else -1
    if index <= 0:
        raise RunRefused("There is no earlier model to roll back to.")
    target = line[index - 1]
    if not target.is_file():
        raise RunRefused(f"The earlier model's file is gone ({target.name}); cannot roll back.")
    return target


def elapsed_seconds(run: ModelRun) -> float:
    """How long the run took, or has taken so far."""
    end = as_utc(run.finished_at) if run.finished_at else utcnow()
    return max(0.0, (end - as_utc(run.started_at)).total_seconds())


def settle_stale_runs(session: Session, settings: Settings) -> None:
    """Mark failed the unfinished runs whose process has ended (nobody holds the lock)."""
    if unfinished_run(session) is None:
        return
    try:
        lock = take_lock(settings.models_dir, settings.redis_url)
    except LockUnavailable:  # cannot tell whether the run is alive: leave it as it is
        logger.warning("unfinished runs not checked: the run lock's Redis does not answer")
        return
    if lock is not None:
        try:
            fail_stale_runs(session)
        finally:
            lock.release()
