"""The patient-facing web app on a real SQLite database, with Rasa deliberately absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.settings import Settings
from tests.support.stack import free_port
from web.app import create_app

SECRET_KEY = "k" * 64


def web_settings(tmp_path: Path, **env: str) -> Settings:
    """Settings for the web app; nothing listens at its Rasa URL."""
    return Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}",
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "PUBLIC_URL": "https://chat.example.org",
            "SECRET_KEY": SECRET_KEY,
            # Never the project's own var/: the inbox reads it and the start-up purge deletes.
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'conversations.db'}",
            **env,
        }
    )


def new_session(client: TestClient) -> str:
    """A conversation id the app issued, as the page's "Start over" gets one."""
    response = client.post("/api/conversation")
    assert response.status_code == 200
    return response.json()["session_id"]


@pytest.fixture
def client(tmp_path: Path, store: ArticleStore) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings(tmp_path), store)) as test_client:
        yield test_client
