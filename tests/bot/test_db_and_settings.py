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
