"""`python -m bot model deploy|history|rollback`: train, test and deploy the Rasa model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import migrated_sessions
from bot.db import as_utc
from bot.settings import Settings


def cmd_model(settings: Settings, args: argparse.Namespace) -> int:
    from bot.training.pipeline import progress_percent, start_rollback, start_training
    from bot.training.rasa_server import RasaServerError
    from bot.training.runs import RunRefused, history, live_run, settle_stale_runs

    factory = migrated_sessions(settings)
    if args.cmd == "history":
        with factory.begin() as session:
            settle_stale_runs(session, settings)
            live = live_run(session)
            for run in history(session):
                started = as_utc(run.started_at).strftime("%Y-%m-%d %H:%M")
                tests = run.test_results or {}
                counts = f"{tests.get('stories_passed', '-')}/{tests.get('stories_total', '-')}"
                mark = "  <- live" if live is not None and run.id == live.id else ""
                print(
                    f"{run.id}\t{started}\t{run.kind}\t{run.started_by or 'command line'}\t"
                    f"{run.state} ({run.stage}, {progress_percent(run)}%)\tstories {counts}\t"
                    f"{Path(run.model_path).name if run.model_path else '-'}{mark}"
                )
        return 0
    start = start_training if args.cmd == "deploy" else start_rollback
    try:
        job = start(factory, settings, None)
    except (RunRefused, RasaServerError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    job.echo = print
    print(f"Run {job.run_id} ({job.kind}) started.")
    return 0 if job.run() == "deployed" else 1


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `model` commands."""
    model = groups.add_parser("model", help="train, test and deploy the Rasa model")
    model_cmds = model.add_subparsers(dest="cmd", required=True)
    model_cmds.add_parser(
        "deploy", help="write staff examples, validate, train, test, then load into Rasa"
    )
    model_cmds.add_parser("history", help="every run, newest first, and the live model")
    model_cmds.add_parser("rollback", help="load the model deployed before the live one")
    model.set_defaults(run=cmd_model)
