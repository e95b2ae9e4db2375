"""`python -m bot conversations purge|export|delete`: retention and a person's requests."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.cli.common import migrated_sessions
from bot.settings import Settings
from bot.staff.conversations import delete_conversation, export_conversation, purge


def cmd_conversations(settings: Settings, args: argparse.Namespace) -> int:
    factory = migrated_sessions(settings)
    store, key = settings.tracker_store_url, settings.secret_key
    if args.cmd == "purge":
        days = args.days or settings.conversation_retention_days
        with factory.begin() as session:
            report = purge(session, store, days)
        print(
            f"Deleted {report.conversations} conversation(s) ({report.events} events) and "
            f"{report.inbox_items} inbox message(s) older than {days} days."
        )
    elif args.cmd == "export":
        with factory.begin() as session:
            document = export_conversation(session, store, key, args.sender)
        body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if args.out:
            _write_private(args.out, body)
            print(f"Conversation {document['reference']} written to {args.out}.")
        else:
            sys.stdout.write(body)
    else:
        with factory.begin() as session:
            deleted = delete_conversation(session, store, key, args.sender)
        print(
            f"Conversation {deleted.ref}: deleted {deleted.events} events and "
            f"{deleted.inbox_items} inbox message(s); {deleted.inbox_shared} inbox "
            "message(s) other people also sent were kept, counted once fewer."
        )
    return 0


def _write_private(path: Path, body: str) -> None:
    """Write `body` readable by its owner only: it is a patient's conversation."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(body)


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `conversations` commands."""
    conversations = groups.add_parser(
        "conversations", help="patients' conversations: retention, export, erasure"
    )
    cmds = conversations.add_subparsers(dest="cmd", required=True)
    purging = cmds.add_parser(
        "purge", help="delete conversations and inbox messages older than the retention"
    )
    purging.add_argument(
        "--days", type=_days, help="retention in days (default CONVERSATION_RETENTION_DAYS)"
    )
    for name, what in (("export", "print one conversation as JSON"), ("delete", "erase one")):
        cmd = cmds.add_parser(name, help=what)
        cmd.add_argument(
            "sender", help="the conversation id, or the reference shown on the chat page"
        )
        if name == "export":
            cmd.add_argument("--out", type=Path, help="write to this file (mode 600)")
    conversations.set_defaults(run=cmd_conversations)


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("a whole number of days, at least 1")
    return int(value)
