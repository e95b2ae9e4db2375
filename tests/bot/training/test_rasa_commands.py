"""The servers' command lines: loopback by default, and never a secret in them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from bot.training import rasa_commands


def test_no_server_command_line_carries_a_token() -> None:
    serve = rasa_commands.serve("models/a.tar.gz", 5005, cors="http://localhost:8000")
    actions = rasa_commands.run_actions(5055)
    for argv in (serve, actions):
        assert not any("token" in a or "secret" in a for a in argv), argv
    assert serve[1:3] == ["-m", "rasa_ext.server"] and "--enable-api" in serve


def test_both_servers_listen_on_loopback_unless_told_otherwise() -> None:
    serve = rasa_commands.serve("m.tar.gz", 5005)
    actions = rasa_commands.run_actions(5055)
    assert serve[serve.index("--interface") + 1] == "127.0.0.1"
    assert actions[actions.index("--interface") + 1] == "127.0.0.1"
    private = rasa_commands.run_actions(5055, interface="10.0.0.5")
    assert private[private.index("--interface") + 1] == "10.0.0.5"


def test_sanic_request_size_is_capped_unless_set() -> None:
    assert rasa_commands.environment(base={})["SANIC_REQUEST_MAX_SIZE"] == "65536"
    own = rasa_commands.environment(base={"SANIC_REQUEST_MAX_SIZE": "1000"})
    assert own["SANIC_REQUEST_MAX_SIZE"] == "1000"


def test_the_actions_token_is_derived_from_the_secret_key_or_set(tmp_path: Path) -> None:
    key = "k" * 64
    derived = Settings.from_env({"SECRET_KEY": key}, root=tmp_path).actions_token
    assert len(derived) == 64 and key not in derived
    assert derived == Settings.from_env({"SECRET_KEY": key}, root=tmp_path).actions_token
    assert derived != Settings.from_env({"SECRET_KEY": "j" * 64}, root=tmp_path).actions_token
    own = Settings.from_env({"SECRET_KEY": key, "ACTIONS_TOKEN": "a" * 40}, root=tmp_path)
    assert own.actions_token == "a" * 40


def test_a_short_actions_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ACTIONS_TOKEN"):
        Settings.from_env({"SECRET_KEY": "k" * 64, "ACTIONS_TOKEN": "short"}, root=tmp_path)
