"""Reverting from the history page: only to a version that was published."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.kb.topics import domain_intents
from bot.settings import PROJECT_ROOT
from bot.staff.revisions import edit, reject, working_fields
from bot.staff.roles import Actor
from bot.staff.tables import AuditEvent
from tests.support.staff_client import csrf_token

SLUG = "car-t-cells"
SENT_BACK = "CAR-T cells are your own immune cells, changed in a lab to find the cancer."


def test_a_rejected_submission_has_no_revert_button_and_cannot_be_reverted_to(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    original = store.answer_for(SLUG).text
    intents = domain_intents(PROJECT_ROOT / "domain.yml")
    with session_factory.begin() as session:
        fields = {**(working_fields(session, SLUG) or {}), "answer": SENT_BACK}
        number = edit(
            session, "submit", SLUG, fields, "Shorter", intents, actor=Actor("eddie", "editor")
        ).number
    with session_factory.begin() as session:
        reject(session, SLUG, number, "Keep the drip", actor=Actor("rita", "reviewer"))
    rita = signed_in("rita")
    history = rita.get(f"/admin/articles/{SLUG}/history")
    assert f"Version {number}: rejected" in history.text
    assert f"Revert to this version ({number})" not in history.text
    response = rita.post(
        f"/admin/articles/{SLUG}/revert",
        data={"csrf_token": csrf_token(history.text), "number": str(number)},
    )
    assert response.status_code == 400
    assert f"Version {number} of {SLUG} was never published (rejected)" in response.text
    assert store.answer_for(SLUG).text == original
    with session_factory() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "article.revert" not in actions
