"""The Rasa launcher: the token goes into Rasa's argv inside the process only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, Settings
from rasa_ext.server import (
    endpoint_variables,
    main,
    missing_variables,
    rasa_argv,
    secret_variables,
)

TOKEN = "ab" * 32


def test_the_token_is_appended_inside_the_process() -> None:
    argv = rasa_argv(["--model", "m.tar.gz", "--enable-api"], TOKEN)
    assert argv == ["rasa", "run", "--model", "m.tar.gz", "--enable-api", "--auth-token", TOKEN]


def test_a_short_token_is_refused() -> None:
    with pytest.raises(SystemExit, match="at least 32"):
        rasa_argv(["--model", "m.tar.gz"], "secret-token")


@pytest.mark.parametrize("flag", ["--auth-token", "--auth-token=abc", "--jwt-secret"])
def test_a_secret_on_the_command_line_is_refused(flag: str) -> None:
    with pytest.raises(SystemExit, match="command line"):
        rasa_argv(["--model", "m.tar.gz", flag, "abc"], TOKEN)


# -- endpoints-cluster.yml: the variables the launcher exports, and how Rasa reads them --

CLUSTER_ENDPOINTS = PROJECT_ROOT / "endpoints-cluster.yml"
CLUSTER_ENV = {
    "ACTION_ENDPOINT_URL": "http://127.0.0.1:5056/webhook",
    "TRACKER_STORE_URL": "postgresql://rasa:pw@127.0.0.1:5432/rasa",
    "MODEL_SERVER_URL": "http://127.0.0.1:8000/internal/model",
}


def test_the_secrets_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings.from_env({"SECRET_KEY": "s" * 64}, root=tmp_path)
    variables = secret_variables(settings)
    assert variables["MODELS_TOKEN"] == settings.models_token
    assert variables["ACTIONS_TOKEN"] == settings.actions_token
    single = endpoint_variables(PROJECT_ROOT / "endpoints.yml")
    assert single == ["ACTION_ENDPOINT_URL", "ACTIONS_TOKEN", "TRACKER_STORE_URL"]


def test_a_missing_variable_is_named_with_what_sets_it() -> None:
    env = {**CLUSTER_ENV, "ACTIONS_TOKEN": "a", "MODELS_TOKEN": "m"}
    del env["MODEL_SERVER_URL"]
    assert missing_variables(CLUSTER_ENDPOINTS, env) == [
        "REDIS_URL (the Redis server shared by the replicas, redis://:PASSWORD@HOST:PORT/DB)",
        "MODEL_SERVER_URL (the web app's (or load balancer's) address + /internal/model)",
    ]
    assert missing_variables(PROJECT_ROOT / "endpoints.yml", env) == []


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")  # Rasa's, not ours
def test_rasa_reads_the_cluster_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.core.utils import AvailableEndpoints

    env = {**CLUSTER_ENV, "ACTIONS_TOKEN": "a" * 64, "MODELS_TOKEN": "m" * 64}
    env["REDIS_URL"] = "redis://:pw@127.0.0.1:6390/3"
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    endpoints = AvailableEndpoints.read_endpoints(str(CLUSTER_ENDPOINTS))

    assert endpoints.model is not None
    assert endpoints.model.url == CLUSTER_ENV["MODEL_SERVER_URL"]
    assert endpoints.model.headers == {"X-Models-Token": "m" * 64}
    assert endpoints.model.kwargs["wait_time_between_pulls"] == 10  # a number, not "10"
    lock = endpoints.lock_store
    assert lock is not None and lock.type == "rasa_ext.lock_store.SharedRedisLockStore"
    assert lock.url == env["REDIS_URL"]
    tracker = endpoints.tracker_store
    assert tracker is not None and tracker.type == "SQL"
    # A full URL as the host is used as it is, PostgreSQL's too.
    assert SQLTrackerStore.get_db_url(host=tracker.url) == CLUSTER_ENV["TRACKER_STORE_URL"]
    assert endpoints.action is not None
    assert endpoints.action.headers == {"X-Actions-Token": "a" * 64}


def test_rasa_names_a_variable_it_cannot_expand(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.exceptions import RasaException

    for name, value in CLUSTER_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("REDIS_URL", "MODELS_TOKEN"):
        monkeypatch.setenv(name, "x")
    monkeypatch.delenv("MODEL_SERVER_URL")
    with pytest.raises(RasaException, match="MODEL_SERVER_URL"):
        AvailableEndpoints.read_endpoints(str(CLUSTER_ENDPOINTS))


def test_the_launcher_names_what_the_endpoints_file_lacks_before_rasa_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environ = {"RASA_AUTH_TOKEN": TOKEN, "SECRET_KEY": "s" * 64, **CLUSTER_ENV}
    del environ["MODEL_SERVER_URL"]
    monkeypatch.setattr(os, "environ", environ)  # what main() exports stays in this dict
    monkeypatch.setattr(sys, "argv", ["rasa_ext.server"])  # main() replaces it
    with pytest.raises(SystemExit) as stopped:
        main(["--model", "m.tar.gz", "--endpoints", str(CLUSTER_ENDPOINTS)])
    message = str(stopped.value)
    assert "REDIS_URL (the Redis server" in message
    assert "MODEL_SERVER_URL (the web app's" in message
    assert environ["MODELS_TOKEN"] not in message  # names only, never a secret
