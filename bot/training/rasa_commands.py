"""Rasa's command lines and their environment, written once.

The Makefile (through `python -m bot rasa ...`), `make run`, the train-and-deploy pipeline
and the test harness all start Rasa with these, so a flag changes in one place. Every
path is relative to the Rasa project folder the command runs in.

The two servers run through small launchers (`rasa_ext.server`, `rasa_ext.action_server`)
that read their secrets from the settings, so no token is ever on a command line, where
every local user can read it (`ps`, `/proc/<pid>/cmdline`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# The `rasa` next to this Python: the project's virtual environment.
RASA = str(Path(sys.executable).parent / "rasa")
CONFIG = "config.yml"
CREDENTIALS = "credentials.yml"
ENDPOINTS = "endpoints.yml"
# Several replicas: Redis lock store, model pulled from the web app (`make cluster`).
CLUSTER_ENDPOINTS = "endpoints-cluster.yml"
TEST_STORIES = "tests/stories"
# No usage reports to Rasa's servers; TensorFlow and SQLAlchemy 1.4 notices only add noise.
QUIET = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}
# Sanic's request body limit (default 100 MB) for the Rasa server: a chat message is at
# most 2,000 characters and the API calls we make are small. A caller's own value wins.
REQUEST_MAX_BYTES = 64 * 1024
LIMITS = {"SANIC_REQUEST_MAX_SIZE": str(REQUEST_MAX_BYTES)}
# The servers listen on loopback only unless told otherwise (`--interface`).
LOOPBACK = "127.0.0.1"


def environment(
    extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment Rasa runs in: LIMITS, `base` (default `os.environ`), QUIET, `extra`."""
    return {**LIMITS, **(os.environ if base is None else base), **QUIET, **(extra or {})}


def validate(domain: str, data: Sequence[str]) -> list[str]:
    """`rasa data validate` on the generated training data, failing on warnings too.

    Args:
        domain: the domain file or folder (`bot.training.training_data.generate` says).
        data: the training data files and folders.
    """
    return [RASA, "data", "validate", "--domain", domain, "--data", *data, "--config", CONFIG,
            "--fail-on-warnings"]  # fmt: skip


def train(out_dir: str, name: str, domain: str, data: Sequence[str]) -> list[str]:
    """`rasa train` of the generated training data into `<out_dir>/<name>.tar.gz`."""
    return [RASA, "train", "--domain", domain, "--config", CONFIG, "--data", *data,
            "--out", out_dir, "--fixed-model-name", name]  # fmt: skip


def test_stories(model: str, out_dir: str) -> list[str]:
    """`rasa test core --e2e` on the test stories, failing on any prediction error."""
    return [RASA, "test", "core", "--e2e", "--model", model, "--stories", TEST_STORIES,
            "--out", out_dir, "--fail-on-prediction-errors"]  # fmt: skip


def serve(
    model: str,
    port: int,
    *,
    interface: str = LOOPBACK,
    cors: str | None = None,
    credentials: str = CREDENTIALS,
    endpoints: str = ENDPOINTS,
) -> list[str]:
    """`rasa run` with the HTTP API on; the launcher adds the token from the settings."""
    argv = [sys.executable, "-m", "rasa_ext.server", "--model", model, "--port", str(port),
            "--interface", interface, "--enable-api", "--credentials", credentials,
            "--endpoints", endpoints]  # fmt: skip
    if cors:
        argv += ["--cors", cors]
    return argv


def run_actions(port: int, *, interface: str = LOOPBACK) -> list[str]:
    """The action server for the `actions` package, checking Rasa's shared secret."""
    return [sys.executable, "-m", "rasa_ext.action_server", "--actions", "actions",
            "--port", str(port), "--interface", interface]  # fmt: skip
