"""`python -m bot kb check|load|export|import`: the knowledge base's files and database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.common import migrated_sessions, read_checked
from bot.db import DatabaseNotReady
from bot.kb.files import KnowledgeBase, language_of, version_file
from bot.kb.store import awaiting_sign_off, export_articles, load_articles
from bot.kb.tables import PUBLISHED
from bot.kb.topics import domain_intents
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.settings import Settings
from bot.staff.kb_exchange import apply_import, files_from_dir, files_from_zip, plan_import
from bot.staff.roles import Actor
from bot.staff.sign_off import sign_off


def sign_off_lines(settings: Settings, kb: KnowledgeBase) -> list[str]:
    """Information lines: the published articles that still await clinical sign-off.

    Sign-off lives only in the database; when none is ready, the files are all there is,
    and a file is unsigned by definition. Each language version is signed off on its own:
    an English one is named by its slug, another as `fr/<slug>`.
    """
    try:
        if not _database_exists(settings):
            raise DatabaseNotReady("no database file")
        with migrated_sessions(settings)() as session:
            waiting = [_name(a.slug, a.language) for a in awaiting_sign_off(session)]
        where = "in the database"
    except (DatabaseNotReady, SQLAlchemyError):
        waiting = [
            _name(a["slug"], language_of(a)) for a in kb.articles if a["status"] == PUBLISHED
        ]
        where = "in the files (no database: files carry no sign-off)"
    lines = [f"INFO {name}: published, awaits clinical sign-off" for name in waiting]
    lines.append(f"INFO {len(waiting)} published article(s) {where} await clinical sign-off.")
    return lines


def _name(slug: str, language: str) -> str:
    """An article version as the command line names it: `car-t-cells`, `fr/car-t-cells`."""
    return version_file(slug, language).removesuffix(".yml")


def cmd_kb_check(settings: Settings, args: argparse.Namespace) -> int:
    kb = read_checked(settings, args.dir)
    if kb is None:
        return 1
    print(f"{len(kb.articles)} article versions checked: no errors.")
    for line in sign_off_lines(settings, kb):
        print(line)
    return 0


def cmd_kb_signoff(settings: Settings, args: argparse.Namespace) -> int:
    with migrated_sessions(settings).begin() as session:  # the audit event lands with it
        article = sign_off(
            session,
            args.slug,
            args.role,
            actor=Actor.operator(),
            name=args.name,
            language=args.language,
        )
        name = _name(article.slug, article.language)
        print(f"Signed off {name}: {article.signed_off_by}, {article.signed_off_role}.")
    return 0


def _database_exists(settings: Settings) -> bool:
    """False for a SQLite file that is not there (checking must not create it)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).is_file()


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
    print(f"Wrote {len(paths)} article versions to {args.dir} (translations in folders).")
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
        ("load", cmd_kb_load, "insert missing article versions (never overwrites)"),
    ):
        sub = kb.add_parser(name, help=help_)
        sub.add_argument("dir", nargs="?", type=Path, help="default: KB_DIR (data/kb)")
        sub.set_defaults(run=run)
    export = kb.add_parser(
        "export", help="write the database's articles as YAML files (French ones in fr/)"
    )
    export.add_argument("dir", type=Path)
    export.set_defaults(run=cmd_kb_export)
    kb_import = kb.add_parser("import", help="plan (and with --apply, apply) an import")
    kb_import.add_argument("source", type=Path, metavar="DIR", help="a folder of *.yml or a zip")
    kb_import.add_argument("--apply", action="store_true", help="apply the plan")
    kb_import.set_defaults(run=cmd_kb_import)
    signoff = kb.add_parser("signoff", help="record a clinical sign-off of a published article")
    signoff.add_argument("slug")
    signoff.add_argument("--as", dest="name", required=True, help="the reviewer's name")
    signoff.add_argument("--role", required=True, help="the reviewer's clinical role")
    signoff.add_argument(
        "--language",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help="the version signed off (each language version is signed on its own)",
    )
    signoff.set_defaults(run=cmd_kb_signoff)
