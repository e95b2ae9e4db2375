"""The web app purges old conversations when it starts (and daily after that)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.settings import Settings
from bot.staff.tables import AuditEvent
from bot.staff.tracker_store import sender_ids
from tests.support.stack import free_port
from tests.support.tracker_store import turn, write_conversation
from web.app import create_app
from web.retention import purge_once

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")

OLD = time.time() - 100 * 24 * 3600


def settings_for(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'conversations.db'}",
            "RASA_URL": f"http://127.0.0.1:{free_port()}",
            "SECRET_KEY": "s" * 64,
            **env,
        },
        root=tmp_path,
    )


def test_an_old_conversation_is_gone_once_the_app_has_started(
    tmp_path: Path, store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    path = tmp_path / "conversations.db"
    write_conversation(path, "old-one", turn("my name is Marie", "greet", 0.9, at=OLD))
    write_conversation(path, "new-one", turn("what is CAR-T", "ask_car_t", 0.9))
    settings = settings_for(tmp_path)
    with TestClient(create_app(settings, store)) as client:
        assert set(sender_ids(settings.tracker_store_url)) == {"new-one"}
        assert client.get("/").status_code == 200
    with session_factory() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "conversations.purge")
        )
    assert event.detail["conversations"] == 1 and "Marie" not in str(event.detail)


def test_a_purge_that_cannot_run_does_not_stop_the_app(
    tmp_path: Path, store: ArticleStore, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "conversations.db").write_text("not a database", encoding="utf-8")
    settings = settings_for(tmp_path)
    assert purge_once(settings) is None
    assert "conversation purge failed" in caplog.text
    with TestClient(create_app(settings, store)) as client:
        assert client.get("/").status_code == 200
