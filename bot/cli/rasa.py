"""`python -m bot rasa data|validate|train|test|serve|actions`: Rasa as the project runs it.

The Makefile and `make run` call these, so they run the same command lines as the
train-and-deploy pipeline (`bot.training.rasa_commands`); `validate` and `train` first
generate the training data from the database, as the pipeline does.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from bot.cli.common import migrated_sessions
from bot.settings import Settings, SettingsError
from bot.training import rasa_commands
from bot.training.training_data import GENERATED_DIR, TrainingData, generate


def _exec(argv: list[str]) -> NoReturn:
    # Replace this process: Ctrl-C and the exit status are Rasa's own.
    os.execve(argv[0], argv, rasa_commands.environment())


def generated(settings: Settings) -> TrainingData:
    """Generate the training data from the database (`make db` first); say what it holds."""
    with migrated_sessions(settings)() as session:
        data = generate(session, settings.project_dir, settings.staff_examples_file)
    print(
        f"Training data in {GENERATED_DIR}: {len(data.topic_intents)} topic intents from the "
        f"published articles, {data.staff_examples} staff example(s).",
        file=sys.stderr,
    )
    if data.dropped_intents:
        print(
            "Left out (no published article): " + ", ".join(data.dropped_intents), file=sys.stderr
        )
    return data


def cmd_rasa(settings: Settings, args: argparse.Namespace) -> int:
    if args.cmd in ("data", "validate", "train"):
        data = generated(settings)
        domain = str(settings.project_dir / data.domain)
        paths = [str(settings.project_dir / p) for p in data.data]
        if args.cmd == "validate":
            return _exec(rasa_commands.validate(domain, paths))
        if args.cmd == "train":
            return _exec(rasa_commands.train(args.out, args.name, domain, paths))
        return 0
    if args.cmd == "test":
        return _exec(rasa_commands.test_stories(args.model, args.out))
    if args.cmd == "actions":
        return _exec(rasa_commands.run_actions(args.port, interface=args.interface))
    if settings.rasa_token is None:  # the HTTP API exposes conversations: never without one
        raise SettingsError("Set RASA_AUTH_TOKEN, or run scripts/auth_token to create one.")
    # The launcher reads the token itself: it never goes on a command line.
    return _exec(
        rasa_commands.serve(
            args.model,
            args.port,
            interface=args.interface,
            cors=args.cors,
            credentials=args.credentials,
            endpoints=args.endpoints,
        )
    )


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `rasa` commands."""
    rasa = groups.add_parser("rasa", help="run Rasa as the project does")
    cmds = rasa.add_subparsers(dest="cmd", required=True)
    cmds.add_parser("data", help=f"generate the training data in {GENERATED_DIR} from the database")
    cmds.add_parser("validate", help="rasa data validate, failing on warnings")
    train = cmds.add_parser("train", help="rasa train")
    train.add_argument("--out", default="models")
    train.add_argument("--name", default="assistant")
    test = cmds.add_parser("test", help="rasa test core --e2e on tests/stories")
    test.add_argument("--model", required=True)
    test.add_argument("--out", default="var/results/stories")
    serve = cmds.add_parser(
        "serve", help="rasa run with the HTTP API (token from RASA_AUTH_TOKEN or var/)"
    )
    serve.add_argument("--model", required=True)
    serve.add_argument("--port", type=int, default=5005)
    serve.add_argument("--cors")
    serve.add_argument(
        "--credentials",
        default=rasa_commands.CREDENTIALS,
        help="channels file (credentials-socketio.yml adds socket.io)",
    )
    serve.add_argument(
        "--endpoints",
        default=rasa_commands.ENDPOINTS,
        help=f"endpoints file ({rasa_commands.CLUSTER_ENDPOINTS}: one of several replicas)",
    )
    serve.add_argument(
        "--interface", default=rasa_commands.LOOPBACK, help="address to listen on (loopback)"
    )
    actions = cmds.add_parser("actions", help="the action server (rasa run actions, guarded)")
    actions.add_argument("--port", type=int, default=5055)
    actions.add_argument(
        "--interface", default=rasa_commands.LOOPBACK, help="address to listen on (loopback)"
    )
    rasa.set_defaults(run=cmd_rasa)
