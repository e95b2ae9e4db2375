"""Command line: `python -m bot db|kb|nlu|trials|settings|users|inbox|conversations|model ...`.

Each command group is one module with a `register(subparsers)`; every command is thin
over the library and returns the exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import conversations, db, hospital, inbox, kb, model, nlu, rasa, trials, users
from bot.errors import Refused
from bot.settings import Settings

GROUPS = (db, kb, nlu, trials, hospital, users, inbox, conversations, model, rasa)


def parser() -> argparse.ArgumentParser:
    """Build the argument parser from every command group."""
    root = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    subparsers = root.add_subparsers(dest="group", required=True)
    for group in GROUPS:
        group.register(subparsers)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        return args.run(Settings.from_env(), args)
    except Refused as error:  # the database is not ready, a setting is wrong, ...
        print(f"Error: {error}", file=sys.stderr)
        return 1
