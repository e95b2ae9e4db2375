"""`python -m bot inbox sync|list`: patient messages the assistant did not answer well."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import migrated_sessions
from bot.settings import Settings
from bot.staff.inbox import open_groups, sync
from bot.staff.tracker_store import REASONS, TrackerStoreUnavailable


def cmd_inbox(settings: Settings, args: argparse.Namespace) -> int:
    factory = migrated_sessions(settings)
    if args.cmd == "sync":
        try:
            with factory.begin() as session:
                report = sync(session, settings.tracker_store_url, key=settings.secret_key)
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


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `inbox` commands."""
    inbox = groups.add_parser("inbox", help="messages the assistant did not answer well")
    inbox_cmds = inbox.add_subparsers(dest="cmd", required=True)
    inbox_cmds.add_parser("sync", help="read new messages from Rasa's tracker store")
    listing = inbox_cmds.add_parser("list", help="open messages, near-duplicates together")
    listing.add_argument("--reason", choices=sorted(REASONS))
    inbox.set_defaults(run=cmd_inbox)
