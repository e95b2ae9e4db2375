"""`rasa run` in this process, with its secrets from the settings, never from argv.

Every local user can read a process's command line (`ps`, `/proc/<pid>/cmdline`), and
Rasa reads its API token only from `--auth-token`. So this launcher takes Rasa's other
arguments, reads the token from the settings (`RASA_AUTH_TOKEN` or `var/rasa_auth_token`)
and hands Rasa the full argument list inside the process: `sys.argv` is not what the
kernel shows. It also exports the action server's shared secret, which `endpoints.yml`
sends as a header.

Usage: `python -m rasa_ext.server --model M --port P ...` (see `bot.training.rasa_commands`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from bot.settings import Settings

ACTIONS_TOKEN_VARIABLE = "ACTIONS_TOKEN"  # read by endpoints.yml
_SECRET_FLAGS = ("--auth-token", "--jwt-secret")
# Rasa does not slow down wrong tokens: a short one could be guessed (scripts/auth_token
# makes 64 hex digits).
MIN_TOKEN_CHARS = 32


def rasa_argv(args: Sequence[str], token: str) -> list[str]:
    """Rasa's command line: `rasa run`, the given arguments, then the token.

    Raises:
        SystemExit: a secret was given on the command line, or the token is short.
    """
    if any(a.split("=", 1)[0] in _SECRET_FLAGS for a in args):
        raise SystemExit("Never put a secret on the command line: set RASA_AUTH_TOKEN.")
    if len(token) < MIN_TOKEN_CHARS:
        raise SystemExit(
            f"RASA_AUTH_TOKEN must be at least {MIN_TOKEN_CHARS} characters: "
            "unset it to use the random one in var/rasa_auth_token."
        )
    return ["rasa", "run", *args, "--auth-token", token]


def main(args: Sequence[str] | None = None) -> None:
    """Run Rasa's server until it stops."""
    settings = Settings.from_env()
    if settings.rasa_token is None:  # the HTTP API exposes conversations: never without one
        raise SystemExit("Set RASA_AUTH_TOKEN, or run scripts/auth_token to create one.")
    sys.argv = rasa_argv(sys.argv[1:] if args is None else args, settings.rasa_token)
    os.environ[ACTIONS_TOKEN_VARIABLE] = settings.actions_token
    from rasa.__main__ import main as rasa_main  # late: loading Rasa takes seconds

    rasa_main()


if __name__ == "__main__":
    main()
