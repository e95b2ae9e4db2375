"""Train and deploy pages: the model history, starting a run or a rollback, live progress.

A run works in a background thread of this process: the slow parts (rasa validate,
train, test) are child processes, so the thread only waits on their output and
writes progress to the database, and the web app keeps answering. If this process
ends mid-run, the thread ends with it; the run lock is dropped by the operating
system and the next view of the page marks the run failed ("stopped before it
finished"). The command line (`python -m bot model deploy`) runs the same job.
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.settings import Settings
from bot.staff.roles import REVIEWER
from bot.training.pipeline import Job, progress_percent, start_rollback, start_training
from bot.training.rasa_server import RasaServerError
from bot.training.runs import (
    RUNNING,
    RunRefused,
    elapsed_seconds,
    history,
    live_model,
    live_run,
    rollback_target,
    settle_stale_runs,
    unfinished_run,
)
from bot.training.tables import ModelRun
from web.admin.common import NOTICES, redirect, render, session_factory, staff_page

NOTICES.update(
    {
        "run-started": "Training started. This page shows its progress; you can leave it.",
        "rollback-started": "Rolling back to the previous model.",
    }
)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _models_context(request: Request) -> dict[str, Any]:
    models_dir = _settings(request).models_dir
    with session_factory(request).begin() as session:
        settle_stale_runs(session, _settings(request))
        live = live_run(session)
        try:
            target = rollback_target(session, models_dir).name
        except RunRefused:
            target = None
        return {
            "runs": history(session),
            "live_id": live.id if live else None,
            "live_model": getattr(live_model(session, models_dir), "name", None),
            "running": unfinished_run(session),
            "rollback_to": target,
        }


@staff_page(REVIEWER)
async def models_page(request: Request) -> Response:
    """GET: every run and rollback, the live model, and the buttons to start one."""
    return render(request, "admin/models.html", _models_context(request))


def _in_background(job: Job) -> None:
    threading.Thread(target=job.run, name=f"model-run-{job.run_id}", daemon=True).start()


async def _start(request: Request, kind: str) -> Response:
    start = start_training if kind == "train" else start_rollback
    try:
        job = start(session_factory(request), _settings(request), request.state.staff.name)
    except (RunRefused, RasaServerError) as problem:
        context = {**_models_context(request), "error": str(problem)}
        return render(request, "admin/models.html", context, status=409)
    _in_background(job)
    notice = "run-started" if kind == "train" else "rollback-started"
    return redirect(request, "admin:model_run", notice, run_id=job.run_id)


@staff_page(REVIEWER)
async def train_and_deploy(request: Request) -> Response:
    """POST: start writing examples, validating, training, testing and deploying."""
    return await _start(request, "train")


@staff_page(REVIEWER)
async def roll_back(request: Request) -> Response:
    """POST: put the model deployed before the live one back on the server."""
    return await _start(request, "rollback")


def _run(request: Request) -> ModelRun:
    with session_factory(request).begin() as session:
        settle_stale_runs(session, _settings(request))
        run = session.get(ModelRun, request.path_params["run_id"])
    if run is None:
        raise HTTPException(404, "There is no such run.")
    return run


def run_state(run: ModelRun) -> dict[str, Any]:
    """What the run page shows, as JSON for its polling script."""
    return {
        "id": run.id,
        "kind": run.kind,
        "state": run.state,
        "running": run.state == RUNNING,
        "stage": run.stage,
        "percent": progress_percent(run),
        "elapsed": round(elapsed_seconds(run)),
        "error": run.error,
        "test_results": run.test_results or {},
        "log": run.log_tail,
    }


@staff_page(REVIEWER)
async def run_page(request: Request) -> Response:
    """GET: one run's stage, progress, test results and last log lines."""
    run = _run(request)
    return render(request, "admin/model_run.html", {"run": run, "status": run_state(run)})


@staff_page(REVIEWER)
async def run_status(request: Request) -> Response:
    """GET: the run's progress as JSON (polled by static/model_run.js)."""
    return JSONResponse(run_state(_run(request)), headers={"Cache-Control": "no-store"})
