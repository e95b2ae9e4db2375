"""`python -m bot settings [KEY VALUE]`: list or set one of the hospital's own values."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import migrated_sessions
from bot.kb.hospital import HOSPITAL_DEFAULTS, current_values
from bot.settings import Settings
from bot.staff.hospital_settings import HospitalValueError, save_values
from bot.staff.roles import Actor


def cmd_settings(settings: Settings, args: argparse.Namespace) -> int:
    if (args.key is None) != (args.value is None):
        print("Give both a key and a value, or neither.", file=sys.stderr)
        return 2
    factory = migrated_sessions(settings)
    if args.key is not None:
        try:  # the same checks and audit as the workspace's settings page
            with factory.begin() as session:
                save_values(session, {args.key: args.value}, actor=Actor.operator())
        except HospitalValueError as error:
            print(f"{error} Known settings: {', '.join(HOSPITAL_DEFAULTS)}", file=sys.stderr)
            return 2
    with factory() as session:
        values = current_values(session)
    for key, value in values.items():
        print(f"{key}: {value}")
    return 0


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `settings` command."""
    values = groups.add_parser("settings", help="list or set a hospital setting")
    values.add_argument("key", nargs="?")
    values.add_argument("value", nargs="?")
    values.set_defaults(run=cmd_settings)
