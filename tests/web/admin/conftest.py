"""A real web app (TestClient) on a migrated SQLite database with one user per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.settings import Settings
from bot.staff.accounts import add_user
from tests.support.stack import free_port
from tests.support.staff_client import PASSWORD, USERS, sign_in
from web.app import create_app


@pytest.fixture
def staff_users(session_factory: sessionmaker[Session]) -> dict[str, str]:
    with session_factory.begin() as session:
        for name, role in USERS.items():
            add_user(session, name, role, PASSWORD)
    return USERS


@pytest.fixture
def admin_settings(tmp_path: Path, settings: Settings) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": settings.database_url,
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "PUBLIC_URL": "http://testserver",
            # Never the project's own var/: the inbox reads it and the start-up purge deletes.
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'conversations.db'}",
            "SECRET_KEY": "k" * 64,
        }
    )


@pytest.fixture
def new_client(
    admin_settings: Settings, store: ArticleStore, staff_users: dict[str, str]
) -> Iterator[Callable[..., TestClient]]:
    """Make clients (browsers) of one app; each keeps its own cookies; `address` is the
    client's IP address as the app sees it."""
    app = create_app(admin_settings, store)
    clients: list[TestClient] = []

    def make(address: str = "testclient") -> TestClient:
        client = TestClient(app, follow_redirects=False, client=(address, 50000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def signed_in(new_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    """A client signed in as `name` (alice: admin, rita: reviewer, eddie: editor)."""
    return lambda name: sign_in(new_client(), name)
