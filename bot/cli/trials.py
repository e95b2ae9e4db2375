"""`python -m bot trials import`: ClinicalTrials.gov records into the trial finder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import migrated_sessions
from bot.settings import Settings
from bot.trials.ctgov_import import ImportReport, import_studies, read_studies
from bot.trials.finder import tagger_from


def cmd_trials_import(settings: Settings, args: argparse.Namespace) -> int:
    factory = migrated_sessions(settings)
    totals = ImportReport()
    for path in args.paths:
        with factory.begin() as session:  # one transaction per file
            report = import_studies(session, list(read_studies(path)), tagger_from(session))
        for nct_id in report.added:
            print(f"  added: {nct_id} ({path.name})")
        for nct_id in report.updated:
            print(f"  updated: {nct_id} ({path.name})")
        for where, why in report.invalid:
            print(f"  invalid: {where}: {why}", file=sys.stderr)
        for name in ("added", "updated", "skipped", "invalid"):
            getattr(totals, name).extend(getattr(report, name))
    print(
        f"Trials from {len(args.paths)} file(s): added {len(totals.added)}, "
        f"updated {len(totals.updated)}, skipped {len(totals.skipped)} (unchanged or older), "
        f"invalid {len(totals.invalid)}."
    )
    return 1 if totals.invalid else 0


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `trials` commands."""
    trials = groups.add_parser("trials", help="clinical trials").add_subparsers(
        dest="cmd", required=True
    )
    trial_import = trials.add_parser(
        "import", help="upsert ClinicalTrials.gov API v2 JSON (.json or .jsonl) by NCT id"
    )
    trial_import.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    trial_import.set_defaults(run=cmd_trials_import)
