"""Settings fail loudly; a missing or unmigrated database is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import DatabaseNotReady, check_schema, make_engine, upgrade
from bot.settings import Settings, SettingsError


def test_defaults_are_embedded_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///") and "/var/kb.db" in settings.database_url
    assert settings.log_level == "INFO"


def test_postgresql_url_is_taken_as_given() -> None:
    url = "postgresql://assistant@127.0.0.1:5432/kb"
    assert Settings.from_env({"DATABASE_URL": url}).database_url == url


@pytest.mark.parametrize(
    "env",
    [{"DATABASE_URL": "var/kb.db"}, {"DATABASE_URL": "postgres://x@h/db"}, {"LOG_LEVEL": "LOUD"}],
)
def test_bad_values_raise(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_replica_settings_default_to_one_process_with_its_own_state() -> None:
    settings = Settings.from_env({"SECRET_KEY": "k" * 64})
    assert settings.redis_url is None and settings.rasa_replica_urls == ()
    assert settings.model_rollout_seconds == 120
    assert len(settings.models_token) == 64 and settings.models_token != settings.actions_token


def test_replica_settings_are_read_and_checked() -> None:
    settings = Settings.from_env(
        {
            "REDIS_URL": "redis://:pw@127.0.0.1:6380/0",
            "RASA_REPLICA_URLS": "http://10.0.0.1:5005/ http://10.0.0.2:5005",
            "MODEL_ROLLOUT_SECONDS": "60",
        }
    )
    assert settings.redis_url == "redis://:pw@127.0.0.1:6380/0"
    assert settings.rasa_replica_urls == ("http://10.0.0.1:5005", "http://10.0.0.2:5005")
    assert settings.model_rollout_seconds == 60


@pytest.mark.parametrize(
    "env",
    [
        {"REDIS_URL": "127.0.0.1:6379"},
        {"RASA_REPLICA_URLS": "10.0.0.1:5005"},
        {"MODEL_ROLLOUT_SECONDS": "5"},
        {"MODELS_TOKEN": "short"},
    ],
)
def test_bad_replica_settings_raise(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_empty_database_is_not_ready_until_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'kb.db'}")
    with pytest.raises(DatabaseNotReady, match="python -m bot db upgrade"):
        check_schema(engine)
    upgrade(engine)
    check_schema(engine)


def test_unreachable_server_is_named_without_its_password() -> None:
    engine = make_engine("postgresql://assistant:secret@127.0.0.1:1/kb")
    with pytest.raises(DatabaseNotReady, match="Cannot open") as error:
        check_schema(engine)
    assert "secret" not in str(error.value)
