"""The cluster's layout: ports from the environment, derived passwords, refused clashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError
from cluster.layout import Layout

KEY = {"SECRET_KEY": "k" * 64}


def test_the_defaults_are_make_runs_addresses_with_replicas_beside_them(tmp_path: Path) -> None:
    layout = Layout.from_env(KEY, root=tmp_path)
    assert (layout.rasa_port, layout.actions_port, layout.web_port) == (5005, 5055, 8000)
    assert layout.rasa_replica_ports == (5006, 5007)
    assert layout.state_dir == (tmp_path / "var" / "cluster").resolve()
    env = layout.app_environment()
    assert env["RASA_URL"] == "http://127.0.0.1:5005"
    assert env["RASA_REPLICA_URLS"] == "http://127.0.0.1:5006 http://127.0.0.1:5007"
    assert env["MODEL_SERVER_URL"] == "http://127.0.0.1:8000/internal/model"
    assert env["TRUSTED_PROXIES"] == "127.0.0.1"  # the web replicas sit behind HAProxy


def test_passwords_are_derived_from_the_secret_key_and_differ(tmp_path: Path) -> None:
    layout = Layout.from_env(KEY, root=tmp_path)
    other = Layout.from_env({"SECRET_KEY": "o" * 64}, root=tmp_path)
    assert layout.postgres_password != layout.redis_password
    assert layout.postgres_password != other.postgres_password
    assert layout.redis_password in layout.redis_url
    assert "k" * 64 not in layout.database_url("assistant")


@pytest.mark.parametrize(
    "env",
    [
        {"RASA_REPLICA_PORTS": "5006 5005"},  # the load balancer's port
        {"REDIS_PORT": "http"},
        {"WEB_REPLICA_PORTS": ""},
        {"POSTGRES_PORT": "70000"},
    ],
)
def test_bad_or_clashing_ports_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        Layout.from_env({**KEY, **env}, root=tmp_path)
