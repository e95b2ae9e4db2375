"""`python -m bot db upgrade`: create or migrate the database schema."""

from __future__ import annotations

import argparse

from bot.db import make_engine, upgrade
from bot.settings import Settings


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(make_engine(settings.database_url))
    print("Database schema is up to date.")
    return 0


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `db` commands."""
    db = groups.add_parser("db", help="database schema").add_subparsers(dest="cmd", required=True)
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(run=cmd_db_upgrade)
