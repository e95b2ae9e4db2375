"""The inbox reads what the real Rasa server stored, and redacts it before storing."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from bot.db import make_engine, make_session_factory
from bot.staff.inbox import sync
from bot.staff.tables import InboxItem
from bot.staff.tracker_store import LOW_CONFIDENCE, NOT_UNDERSTOOD, OUT_OF_SCOPE
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def test_inbox_from_real_conversations(web_stack: Stack, web_database_url: str) -> None:
    for sender, message in (
        ("inbox-1", "what is the weather in London tomorrow"),
        ("inbox-2", "flibber wobble grok"),
        ("inbox-3", "my name is Marie Dupont, marie.dupont@example.org, flibber wobble grok"),
    ):
        assert web_stack.say(sender, message).status_code == 200
    store_url = f"sqlite:///{web_stack.workdir / 'conversations.db'}"
    factory = make_session_factory(make_engine(web_database_url))
    with factory.begin() as session:
        report = sync(session, store_url, key="k" * 64)
    assert report.events_read > 0
    with factory() as session:
        items = {i.text: i for i in session.scalars(select(InboxItem))}
        # Made-up words: not understood, or a topic guessed with low confidence.
        assert items["flibber wobble grok"].reason in (NOT_UNDERSTOOD, LOW_CONFIDENCE)
        weather = next(i for t, i in items.items() if t.endswith("tomorrow"))
        assert weather.reason in (OUT_OF_SCOPE, NOT_UNDERSTOOD)
        assert "my name is [name], [email], flibber wobble grok" in items
        stored = " ".join(
            str(v) for row in session.execute(text("SELECT * FROM inbox_item")) for v in row
        )
        assert "Marie" not in stored and "example.org" not in stored and "inbox-3" not in stored
    with factory.begin() as session:
        assert sync(session, store_url, key="k" * 64).added == 0
