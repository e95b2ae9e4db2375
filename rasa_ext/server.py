"""`rasa run` in this process, with its secrets from the settings, never from argv.

Every local user can read a process's command line (`ps`, `/proc/<pid>/cmdline`), and
Rasa reads its API token only from `--auth-token`. So this launcher takes Rasa's other
arguments, reads the token from the settings (`RASA_AUTH_TOKEN` or `var/rasa_auth_token`)
and hands Rasa the full argument list inside the process: `sys.argv` is not what the
kernel shows. It also exports the action server's shared secret, which `endpoints.yml`
sends as a header, and for `endpoints-cluster.yml` the model server's token.
Before Rasa starts, it checks that every `${VARIABLE}` of the endpoints file is set, and
says which one is missing and what sets it.

Usage: `python -m rasa_ext.server --model M --port P ...` (see `bot.training.rasa_commands`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.settings import Settings
from bot.training import rasa_commands

ACTIONS_TOKEN_VARIABLE = "ACTIONS_TOKEN"  # read by endpoints.yml
MODELS_TOKEN_VARIABLE = "MODELS_TOKEN"  # read by endpoints-cluster.yml
# What sets each variable the endpoints files use, for the message when one is missing.
_SET_BY = {
    "ACTION_ENDPOINT_URL": "the action server's address + /webhook",
    "TRACKER_STORE_URL": "the conversations database URL",
    "MODEL_SERVER_URL": "the web app's (or load balancer's) address + /internal/model",
    "REDIS_URL": "the Redis server shared by the replicas, redis://:PASSWORD@HOST:PORT/DB",
}
_VARIABLE = re.compile(r"\$\{([^}]+)\}")
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


def endpoint_variables(endpoints: Path) -> list[str]:
    """The `${NAME}`s the endpoints file reads (comment lines aside), in order, once each."""
    text = endpoints.read_text(encoding="utf-8") if endpoints.is_file() else ""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return list(dict.fromkeys(_VARIABLE.findall("\n".join(lines))))


def secret_variables(settings: Settings) -> dict[str, str]:
    """The secrets the endpoints files read from the environment, from the settings."""
    return {
        ACTIONS_TOKEN_VARIABLE: settings.actions_token,
        MODELS_TOKEN_VARIABLE: settings.models_token,
    }


def missing_variables(endpoints: Path, environ: Mapping[str, str]) -> list[str]:
    """Every `${NAME}` in the endpoints file that `environ` does not set, with what sets it."""
    names = endpoint_variables(endpoints)
    return [f"{n} ({_SET_BY.get(n, 'not set')})" for n in names if n not in environ]


def _endpoints_file(args: Sequence[str]) -> Path:
    for index, arg in enumerate(args):
        if arg == "--endpoints" and index + 1 < len(args):
            return Path(args[index + 1])
        if arg.startswith("--endpoints="):
            return Path(arg.split("=", 1)[1])
    return Path(rasa_commands.ENDPOINTS)


def main(args: Sequence[str] | None = None) -> None:
    """Run Rasa's server until it stops."""
    settings = Settings.from_env()
    if settings.rasa_token is None:  # the HTTP API exposes conversations: never without one
        raise SystemExit("Set RASA_AUTH_TOKEN, or run scripts/auth_token to create one.")
    given = sys.argv[1:] if args is None else list(args)
    sys.argv = rasa_argv(given, settings.rasa_token)
    endpoints = _endpoints_file(given)
    os.environ.update(secret_variables(settings))
    missing = missing_variables(endpoints, os.environ)
    if missing:  # Rasa would fail later, deep in a traceback
        raise SystemExit(f"{endpoints} needs: " + ", ".join(missing))
    from rasa.__main__ import main as rasa_main  # late: loading Rasa takes seconds

    rasa_main()


if __name__ == "__main__":
    main()
