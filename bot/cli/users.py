"""`python -m bot users add|password|disable|enable|unlock|list`: staff accounts."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.cli.common import migrated_sessions
from bot.settings import Settings
from bot.staff.accounts import (
    AccountError,
    add_user,
    find_user,
    list_users,
    set_active,
    set_password,
    unlock_sign_in,
)
from bot.staff.roles import ROLES


def _read_password() -> str:
    """The new password: typed twice at a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password (at least 12 characters, not a common one): ")
    if getpass.getpass("Same password again: ") != password:
        raise AccountError("The two passwords are not the same.")
    return password


def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    factory = migrated_sessions(settings)
    try:
        with factory.begin() as session:
            if args.cmd == "add":
                add_user(session, args.name, args.role, _read_password())
                print(f"Added {args.name.lower()} ({args.role}).")
            elif args.cmd in ("password", "disable", "enable", "unlock"):
                user = find_user(session, args.name)
                if user is None:
                    raise AccountError(f"There is no user named {args.name!r}.")
                if args.cmd == "password":
                    set_password(session, user, _read_password(), actor=None)
                elif args.cmd == "unlock":
                    unlock_sign_in(session, user, actor=None)
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


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `users` commands."""
    users = groups.add_parser("users", help="staff accounts of the workspace (/admin)")
    user_cmds = users.add_subparsers(dest="cmd", required=True)
    add = user_cmds.add_parser("add", help="create a user; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    for name, help_ in (
        ("password", "set a new password (read from stdin); signs the user out"),
        ("disable", "stop a user signing in; signs them out"),
        ("enable", "let a disabled user sign in again"),
        ("unlock", "let a user sign in at once after failed tries slowed them down"),
    ):
        user_cmds.add_parser(name, help=help_).add_argument("name")
    user_cmds.add_parser("list", help="every user and role")
    users.set_defaults(run=cmd_users)
