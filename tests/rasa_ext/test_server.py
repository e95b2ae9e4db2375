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
    redis_variables,
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


def test_the_parts_of_redis_url_for_rasas_lock_store() -> None:
    assert redis_variables("redis://:p%40ss%24word@127.0.0.1:6390/2") == {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6390",
        "REDIS_PASSWORD": "p@ss$word",
        "REDIS_DB": "2",
    }
    assert redis_variables("redis://localhost") == {
        "REDIS_HOST": "localhost",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "",
        "REDIS_DB": "0",
    }


@pytest.mark.parametrize("url", ["unix:///run/redis.sock", "rediss://h:6379/0", "redis://h/x"])
def test_a_redis_url_the_lock_store_cannot_use_is_refused(url: str) -> None:
    with pytest.raises(SystemExit, match="REDIS_URL"):
        redis_variables(url)


def test_the_secrets_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"SECRET_KEY": "s" * 64, "REDIS_URL": "redis://:pw@127.0.0.1:6390/0"}, root=tmp_path
    )
    variables = secret_variables(settings, endpoint_variables(CLUSTER_ENDPOINTS))
    assert variables["MODELS_TOKEN"] == settings.models_token
    assert variables["ACTIONS_TOKEN"] == settings.actions_token
    assert (variables["REDIS_PASSWORD"], variables["REDIS_PORT"]) == ("pw", "6390")
    single = endpoint_variables(PROJECT_ROOT / "endpoints.yml")
    assert single == ["ACTION_ENDPOINT_URL", "ACTIONS_TOKEN", "TRACKER_STORE_URL"]
    assert "REDIS_HOST" not in secret_variables(settings, single)
    # A REDIS_URL for the web app only (a socket) does not stop a single Rasa server.
    socket = Settings.from_env(
        {"SECRET_KEY": "s" * 64, "REDIS_URL": "unix:///run/redis.sock"}, root=tmp_path
    )
    assert "REDIS_HOST" not in secret_variables(socket, single)
    with pytest.raises(SystemExit, match="REDIS_URL"):
        secret_variables(socket, endpoint_variables(CLUSTER_ENDPOINTS))


def test_a_missing_variable_is_named_with_what_sets_it() -> None:
    env = {**CLUSTER_ENV, "ACTIONS_TOKEN": "a", "MODELS_TOKEN": "m"}
    del env["MODEL_SERVER_URL"]
    assert missing_variables(CLUSTER_ENDPOINTS, env) == [
        "REDIS_HOST (set REDIS_URL)",
        "REDIS_PORT (set REDIS_URL)",
        "REDIS_PASSWORD (set REDIS_URL)",
        "REDIS_DB (set REDIS_URL)",
        "MODEL_SERVER_URL (the web app's (or load balancer's) address + /internal/model)",
    ]
    assert missing_variables(PROJECT_ROOT / "endpoints.yml", env) == []


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")  # Rasa's, not ours
def test_rasa_reads_the_cluster_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.core.utils import AvailableEndpoints

    env = {**CLUSTER_ENV, "ACTIONS_TOKEN": "a" * 64, "MODELS_TOKEN": "m" * 64}
    env.update(redis_variables("redis://:pw@127.0.0.1:6390/3"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    endpoints = AvailableEndpoints.read_endpoints(str(CLUSTER_ENDPOINTS))

    assert endpoints.model is not None
    assert endpoints.model.url == CLUSTER_ENV["MODEL_SERVER_URL"]
    assert endpoints.model.headers == {"X-Models-Token": "m" * 64}
    assert endpoints.model.kwargs["wait_time_between_pulls"] == 10  # a number, not "10"
    lock = endpoints.lock_store
    assert lock is not None and lock.type == "redis" and lock.url == "127.0.0.1"
    assert lock.kwargs == {"port": "6390", "password": "pw", "db": "3"}  # RedisLockStore casts
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
    for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB", "MODELS_TOKEN"):
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
    assert "REDIS_HOST (set REDIS_URL)" in message
    assert "MODEL_SERVER_URL (the web app's" in message
    assert environ["MODELS_TOKEN"] not in message  # names only, never a secret
