"""Shared fixtures: a real, migrated SQLite database, the starter knowledge base, trackers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory, upgrade
from bot.kb.files import KnowledgeBase, read_kb
from bot.kb.store import ArticleStore, load_articles
from bot.settings import PROJECT_ROOT, Settings
from bot.trials.ctgov_import import import_studies, read_studies
from bot.trials.finder import TrialFinder, tagger_from

KB_DIR = PROJECT_ROOT / "data" / "kb"


@pytest.fixture(scope="session")
def starter_kb() -> KnowledgeBase:
    """The shipped knowledge base, read once (reading grades is the slow part).

    Whether every published topic has each language's version is the shipped set's own
    test (tests/bot/kb/test_files.py); the fixture needs only readable, correct articles.
    """
    kb = read_kb(KB_DIR)
    errors = [e for e in kb.errors if " lacks a " not in e.message]
    assert not errors, "\n".join(map(str, errors))
    return kb


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}"})


@pytest.fixture
def session_factory(settings: Settings) -> sessionmaker[Session]:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def store(session_factory: sessionmaker[Session], starter_kb: KnowledgeBase) -> ArticleStore:
    with session_factory.begin() as session:
        load_articles(session, starter_kb.articles)
    return ArticleStore(session_factory)


@pytest.fixture
def english_store(
    session_factory: sessionmaker[Session], starter_kb: KnowledgeBase
) -> ArticleStore:
    """A store with the shipped English versions only (tests that add their own French)."""
    with session_factory.begin() as session:
        load_articles(session, [a for a in starter_kb.articles if "language" not in a])
    return ArticleStore(session_factory)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """Build a Tracker from keywords, as the action server would receive it."""

    def make(
        text: str = "",
        intent: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        slots: dict[str, Any] | None = None,
        ranking: list[tuple[str, float]] | None = None,
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": entities or [],
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or []],
        }
        return Tracker.from_dict(
            {
                "sender_id": "test-conversation",
                "slots": slots or {},
                "latest_message": latest,
                "events": [],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            }
        )

    return make


TRIALS_DIR = PROJECT_ROOT / "data" / "trials"


@pytest.fixture(scope="session")
def shipped_studies() -> list[tuple[str, Any]]:
    """Every study of the starter trial records, as (where, study)."""
    return [study for path in sorted(TRIALS_DIR.glob("*.json")) for study in read_studies(path)]


@pytest.fixture
def trial_finder(
    store: ArticleStore,
    session_factory: sessionmaker[Session],
    shipped_studies: list[tuple[str, Any]],
) -> TrialFinder:
    """A finder over the knowledge base and the 17 shipped trial records."""
    with session_factory.begin() as session:
        report = import_studies(session, shipped_studies, tagger_from(session))
    assert len(report.added) == 17 and not report.invalid
    return TrialFinder(session_factory)
