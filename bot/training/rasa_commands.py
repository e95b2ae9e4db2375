"""Rasa's command lines and their environment, written once.

The Makefile (through `python -m bot rasa ...`), `make run`, the train-and-deploy pipeline
and the test harness all start Rasa with these, so a flag changes in one place. Every
path is relative to the Rasa project folder the command runs in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# The `rasa` next to this Python: the project's virtual environment.
RASA = str(Path(sys.executable).parent / "rasa")
DOMAIN = "domain.yml"
CONFIG = "config.yml"
CREDENTIALS = "credentials.yml"
ENDPOINTS = "endpoints.yml"
TRAINING_DATA = ("data/nlu", "data/stories")
TEST_STORIES = "tests/stories"
# No usage reports to Rasa's servers; TensorFlow and SQLAlchemy 1.4 notices only add noise.
QUIET = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


def environment(
    extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment Rasa runs in: `base` (default `os.environ`), QUIET, then `extra`."""
    return {**(os.environ if base is None else base), **QUIET, **(extra or {})}


def _data(extra_data: Sequence[str]) -> list[str]:
    return ["--data", *TRAINING_DATA, *extra_data]


def validate(extra_data: Sequence[str] = ()) -> list[str]:
    """`rasa data validate`, failing on warnings too."""
    return [RASA, "data", "validate", "--domain", DOMAIN, *_data(extra_data), "--config", CONFIG,
            "--fail-on-warnings"]  # fmt: skip


def train(out_dir: str, name: str, extra_data: Sequence[str] = ()) -> list[str]:
    """`rasa train` into `<out_dir>/<name>.tar.gz`."""
    return [RASA, "train", "--domain", DOMAIN, "--config", CONFIG, *_data(extra_data),
            "--out", out_dir, "--fixed-model-name", name]  # fmt: skip


def test_stories(model: str, out_dir: str) -> list[str]:
    """`rasa test core --e2e` on the test stories, failing on any prediction error."""
    return [RASA, "test", "core", "--e2e", "--model", model, "--stories", TEST_STORIES,
            "--out", out_dir, "--fail-on-prediction-errors"]  # fmt: skip


def serve(
    model: str,
    port: int,
    token: str,
    *,
    interface: str | None = None,
    cors: str | None = None,
    credentials: str = CREDENTIALS,
    endpoints: str = ENDPOINTS,
) -> list[str]:
    """`rasa run` with the HTTP API on, behind `token`."""
    argv = [RASA, "run", "--model", model, "--port", str(port), "--enable-api",
            "--auth-token", token, "--credentials", credentials,
            "--endpoints", endpoints]  # fmt: skip
    if interface:
        argv += ["--interface", interface]
    if cors:
        argv += ["--cors", cors]
    return argv


def run_actions(port: int) -> list[str]:
    """`rasa run actions`: the action server for the `actions` package."""
    return [RASA, "run", "actions", "--actions", "actions", "--port", str(port)]
