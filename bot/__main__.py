"""Command line: `python -m bot db|kb|nlu|trials|settings|users ...` (thin over the library)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.accounts import AccountError, add_user, find_user, list_users, set_active, set_password
from bot.answers import HOSPITAL_DEFAULTS
from bot.db import DatabaseNotReady, check_schema, make_engine, make_session_factory, upgrade
from bot.hospital_settings import SettingError, save_values
from bot.inbox import open_groups, sync
from bot.kb_files import KnowledgeBase, read_kb
from bot.kb_store import export_articles, hospital_values, load_articles
from bot.models import as_utc
from bot.settings import PROJECT_ROOT, Settings, SettingsError
from bot.staff_models import ROLES
from bot.topics import domain_intents
from bot.tracker_events import REASONS, TrackerStoreUnavailable
from bot.training_examples import write_examples_file
from bot.trial_finder import tagger_from
from bot.trials_import import ImportReport, import_studies, read_studies

NLU_TERMS_FILE = PROJECT_ROOT / "data" / "nlu" / "kb_terms.yml"


def _migrated_sessions(settings: Settings) -> sessionmaker[Session]:
    """The session factory of the configured database, failing unless it is migrated."""
    engine = make_engine(settings.database_url)
    check_schema(engine)
    return make_session_factory(engine)


def _read_checked(settings: Settings, kb_dir: Path | None) -> KnowledgeBase | None:
    kb = read_kb(kb_dir or settings.kb_dir, domain_intents(settings.domain_file))
    for problem in kb.problems:
        print(problem, file=sys.stderr)
    if kb.errors:
        print(f"{len(kb.errors)} error(s): nothing was loaded or built.", file=sys.stderr)
        return None
    return kb


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(make_engine(settings.database_url))
    print("Database schema is up to date.")
    return 0


def cmd_kb_check(settings: Settings, args: argparse.Namespace) -> int:
    kb = _read_checked(settings, args.dir)
    if kb is None:
        return 1
    print(f"{len(kb.articles)} articles checked: no errors.")
    return 0


def cmd_kb_load(settings: Settings, args: argparse.Namespace) -> int:
    kb = _read_checked(settings, args.dir)
    if kb is None:
        return 1
    with _migrated_sessions(settings).begin() as session:  # one transaction: all or nothing
        report = load_articles(session, kb.articles)
    print(
        f"Added {len(report.added)}, unchanged {len(report.unchanged)}, "
        f"kept {len(report.kept)} that differ in the database (staff changes win)."
    )
    for slug in report.kept:
        print(f"  kept: {slug}")
    return 0


def cmd_kb_export(settings: Settings, args: argparse.Namespace) -> int:
    with _migrated_sessions(settings)() as session:
        paths = export_articles(session, args.dir)
    print(f"Wrote {len(paths)} articles to {args.dir}.")
    return 0


def cmd_kb_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.kb_transfer import apply_import, files_from_dir, files_from_zip, plan_import

    factory = _migrated_sessions(settings)
    if args.source.is_dir():
        files, problems = files_from_dir(args.source), []
    else:
        files, problems = files_from_zip(args.source.read_bytes())
    intents = domain_intents(settings.domain_file)
    with factory.begin() as session:  # one transaction: all or nothing
        if args.apply and not problems:
            plan = apply_import(session, files, intents, actor=None, role=None)
        else:
            plan = plan_import(session, files, intents)
    for problem in problems + plan.problems:
        print(problem, file=sys.stderr)
    for fields in plan.added:
        print(f"  added: {fields['slug']}")
    for fields, diffs in plan.changed:
        print(f"  changed: {fields['slug']} ({', '.join(d.field for d in diffs)})")
    print(
        f"{len(plan.added)} to add, {len(plan.changed)} to change, {len(plan.unchanged)} "
        f"unchanged, {len(plan.left_alone)} in the database but not in the import (left alone)."
    )
    if problems or plan.errors:
        print("Errors found: nothing was applied.", file=sys.stderr)
        return 1
    if args.apply:
        print(f"Applied: {len(plan.added)} added, {len(plan.changed)} changed.")
    else:
        print("Nothing was applied; run again with --apply to apply this plan.")
    return 0


def cmd_nlu_build(settings: Settings, args: argparse.Namespace) -> int:
    from bot.kb_terms import build_pipeline, nlu_terms_yaml  # spaCy loads slowly: only here

    kb = _read_checked(settings, None)
    if kb is None:
        return 1
    count = build_pipeline(kb.articles, settings.spacy_dir)
    NLU_TERMS_FILE.write_text(nlu_terms_yaml(kb.articles), encoding="utf-8")
    print(
        f"spaCy pipeline with {count} term patterns saved to {settings.spacy_dir}; "
        f"synonyms and lookup tables written to {NLU_TERMS_FILE.relative_to(PROJECT_ROOT)}."
    )
    return 0


def cmd_trials_import(settings: Settings, args: argparse.Namespace) -> int:
    factory = _migrated_sessions(settings)
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


def cmd_settings(settings: Settings, args: argparse.Namespace) -> int:
    factory = _migrated_sessions(settings)
    if args.key is not None:
        try:  # the same checks and audit as the workspace's settings page
            with factory.begin() as session:
                save_values(session, {args.key: args.value}, actor=None, role=None)
        except SettingError as error:
            print(f"{error} Known settings: {', '.join(HOSPITAL_DEFAULTS)}", file=sys.stderr)
            return 2
    with factory() as session:
        values = {**HOSPITAL_DEFAULTS, **hospital_values(session)}
    for key, value in values.items():
        print(f"{key}: {value}")
    return 0


def cmd_model(settings: Settings, args: argparse.Namespace) -> int:
    from bot.model_deploy import progress_percent, start_rollback, start_training
    from bot.model_runs import RunRefused, history, live_run, settle_stale_runs
    from bot.rasa_server import RasaServerError

    factory = _migrated_sessions(settings)
    if args.cmd == "history":
        with factory.begin() as session:
            settle_stale_runs(session, settings.models_dir)
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


def _read_password() -> str:
    """The new password: typed twice at a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Same password again: ") != password:
        raise AccountError("The two passwords are not the same.")
    return password


def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    factory = _migrated_sessions(settings)
    try:
        with factory.begin() as session:
            if args.cmd == "add":
                add_user(session, args.name, args.role, _read_password())
                print(f"Added {args.name.lower()} ({args.role}).")
            elif args.cmd in ("password", "disable", "enable"):
                user = find_user(session, args.name)
                if user is None:
                    raise AccountError(f"There is no user named {args.name!r}.")
                if args.cmd == "password":
                    set_password(session, user, _read_password(), actor=None)
                else:
                    set_active(session, user, args.cmd == "enable", actor=None)
                print(f"{args.cmd.capitalize()}: done for {user.name}.")
            else:
                for user in list_users(session):
                    state = "" if user.active else "  (disabled)"
                    print(f"{user.name}\t{user.role}{state}")
    except AccountError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_inbox(settings: Settings, args: argparse.Namespace) -> int:
    factory = _migrated_sessions(settings)
    if args.cmd == "sync":
        try:
            with factory.begin() as session:
                report = sync(session, settings.tracker_store_url)
        except TrackerStoreUnavailable as error:
            print(f"Error: {error}", file=sys.stderr)
            return 1
        print(
            f"Read {report.events_read} events: {report.added} new messages in the inbox, "
            f"{report.repeated} repeats of messages already there."
        )
        return 0
    with factory() as session:
        groups = open_groups(session, args.reason)
        for number, group in enumerate(groups, 1):
            reasons = ", ".join(REASONS[r] for r in group.reasons)
            print(f"{number}. {group.count} time(s), {reasons}")
            for item in group.items:
                guess = f"{item.intent} {item.confidence:.2f}" if item.confidence else "-"
                print(f"   #{item.id} x{item.count} [{guess}] {item.text}")
    print(f"{len(groups)} group(s) of open messages.")
    return 0


def cmd_nlu_examples(settings: Settings, args: argparse.Namespace) -> int:
    with _migrated_sessions(settings)() as session:
        count = write_examples_file(session, settings.staff_examples_file)
    print(f"Wrote {count} staff example(s) to {settings.staff_examples_file}.")
    return 0


def parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    root = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    groups = root.add_subparsers(dest="group", required=True)
    db = groups.add_parser("db", help="database schema").add_subparsers(dest="cmd", required=True)
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(run=cmd_db_upgrade)
    kb = groups.add_parser("kb", help="knowledge base").add_subparsers(dest="cmd", required=True)
    for name, run, help_ in (
        ("check", cmd_kb_check, "validate the article files"),
        ("load", cmd_kb_load, "insert missing articles (never overwrites)"),
    ):
        sub = kb.add_parser(name, help=help_)
        sub.add_argument("dir", nargs="?", type=Path, help="default: KB_DIR (data/kb)")
        sub.set_defaults(run=run)
    export = kb.add_parser("export", help="write the database's articles as YAML files")
    export.add_argument("dir", type=Path)
    export.set_defaults(run=cmd_kb_export)
    kb_import = kb.add_parser("import", help="plan (and with --apply, apply) an import")
    kb_import.add_argument("source", type=Path, metavar="DIR", help="a folder of *.yml or a zip")
    kb_import.add_argument("--apply", action="store_true", help="apply the plan")
    kb_import.set_defaults(run=cmd_kb_import)
    nlu = groups.add_parser("nlu", help="NLU data").add_subparsers(dest="cmd", required=True)
    nlu.add_parser(
        "build", help="spaCy pipeline, synonyms and lookups from the KB terms"
    ).set_defaults(run=cmd_nlu_build)
    nlu.add_parser(
        "examples", help="write the examples staff added to STAFF_EXAMPLES_FILE"
    ).set_defaults(run=cmd_nlu_examples)
    trials = groups.add_parser("trials", help="clinical trials").add_subparsers(
        dest="cmd", required=True
    )
    trial_import = trials.add_parser(
        "import", help="upsert ClinicalTrials.gov API v2 JSON (.json or .jsonl) by NCT id"
    )
    trial_import.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    trial_import.set_defaults(run=cmd_trials_import)
    values = groups.add_parser("settings", help="list or set a hospital setting")
    values.add_argument("key", nargs="?")
    values.add_argument("value", nargs="?")
    values.set_defaults(run=cmd_settings)
    users = groups.add_parser("users", help="staff accounts of the workspace (/admin)")
    user_cmds = users.add_subparsers(dest="cmd", required=True)
    add = user_cmds.add_parser("add", help="create a user; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    for name, help_ in (
        ("password", "set a new password (read from stdin); signs the user out"),
        ("disable", "stop a user signing in; signs them out"),
        ("enable", "let a disabled user sign in again"),
    ):
        user_cmds.add_parser(name, help=help_).add_argument("name")
    user_cmds.add_parser("list", help="every user and role")
    users.set_defaults(run=cmd_users)
    inbox = groups.add_parser("inbox", help="messages the assistant did not answer well")
    inbox_cmds = inbox.add_subparsers(dest="cmd", required=True)
    inbox_cmds.add_parser("sync", help="read new messages from Rasa's tracker store")
    listing = inbox_cmds.add_parser("list", help="open messages, near-duplicates together")
    listing.add_argument("--reason", choices=sorted(REASONS))
    inbox.set_defaults(run=cmd_inbox)
    model = groups.add_parser("model", help="train, test and deploy the Rasa model")
    model_cmds = model.add_subparsers(dest="cmd", required=True)
    model_cmds.add_parser(
        "deploy", help="write staff examples, validate, train, test, then load into Rasa"
    )
    model_cmds.add_parser("history", help="every run, newest first, and the live model")
    model_cmds.add_parser("rollback", help="load the model deployed before the live one")
    model.set_defaults(run=cmd_model)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    if args.group == "settings" and (args.key is None) != (args.value is None):
        print("Give both a key and a value, or neither.", file=sys.stderr)
        return 2
    try:
        return args.run(Settings.from_env(), args)
    except (DatabaseNotReady, SettingsError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
