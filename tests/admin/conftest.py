"""A real web app (TestClient) on a migrated SQLite database with one user per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.accounts import add_user
from bot.kb_store import ArticleStore
from bot.settings import Settings
from scripts.stack import free_port
from web.app import create_app

PASSWORD = "correct horse battery staple"
USERS = {"alice": "admin", "rita": "reviewer", "eddie": "editor"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


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
        }
    )


@pytest.fixture
def new_client(
    admin_settings: Settings, store: ArticleStore, staff_users: dict[str, str]
) -> Iterator[Callable[[], TestClient]]:
    """Make clients (browsers) of one app; each keeps its own cookies."""
    app = create_app(admin_settings, store)
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Sign `client` in through the real form; fails the test if it does not work."""
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"name": name, "password": password, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def signed_in(new_client: Callable[[], TestClient]) -> Callable[[str], TestClient]:
    """A client signed in as `name` (alice: admin, rita: reviewer, eddie: editor)."""
    return lambda name: sign_in(new_client(), name)
