"""`python -m bot kb check|load|export|import`: the knowledge base's files and database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import migrated_sessions, read_checked
from bot.kb.store import export_articles, load_articles
from bot.kb.topics import domain_intents
from bot.settings import Settings
from bot.staff.kb_exchange import apply_import, files_from_dir, files_from_zip, plan_import
from bot.staff.roles import Actor


def cmd_kb_check(settings: Settings, args: argparse.Namespace) -> int:
    kb = read_checked(settings, args.dir)
    if kb is None:
        return 1
    print(f"{len(kb.articles)} articles checked: no errors.")
    return 0


def cmd_kb_load(settings: Settings, args: argparse.Namespace) -> int:
    kb = read_checked(settings, args.dir)
    if kb is None:
        return 1
    with migrated_sessions(settings).begin() as session:  # one transaction: all or nothing
        report = load_articles(session, kb.articles)
    print(
        f"Added {len(report.added)}, unchanged {len(report.unchanged)}, "
        f"kept {len(report.kept)} that differ in the database (staff changes win)."
    )
    for slug in report.kept:
        print(f"  kept: {slug}")
    return 0


def cmd_kb_export(settings: Settings, args: argparse.Namespace) -> int:
    with migrated_sessions(settings)() as session:
        paths = export_articles(session, args.dir)
    print(f"Wrote {len(paths)} articles to {args.dir}.")
    return 0


def cmd_kb_import(settings: Settings, args: argparse.Namespace) -> int:
    factory = migrated_sessions(settings)
    if args.source.is_dir():
        files, problems = files_from_dir(args.source), []
    else:
        files, problems = files_from_zip(args.source.read_bytes())
    intents = domain_intents(settings.domain_file)
    with factory.begin() as session:  # one transaction: all or nothing
        if args.apply and not problems:
            plan = apply_import(session, files, intents, actor=Actor.operator())
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


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `kb` commands."""
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
