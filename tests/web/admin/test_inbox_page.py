"""The inbox page through the real app: list, teach, point, dismiss, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.staff.tables import AuditEvent, InboxItem
from bot.training.examples import write_examples_file
from tests.support.staff_client import csrf_token


@pytest.fixture
def inbox(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Three open messages, already redacted as a sync would store them."""
    rows = {
        "how long does immunotherapy last for??": ("low_confidence", "ask_treatment_course"),
        "how long does immunotherapy last": ("low_confidence", "ask_treatment_course"),
        "who won the football": ("out_of_scope", "out_of_scope"),
    }
    with session_factory.begin() as session:
        items = {
            text: InboxItem(text=text, group_key=text, reason=reason, intent=intent)
            for text, (reason, intent) in rows.items()
        }
        session.add_all(items.values())
    return {text: item.id for text, item in items.items()}


def test_editor_teaches_a_group_and_the_generated_file_has_it(
    signed_in: Callable[[str], TestClient],
    inbox: dict[str, int],
    session_factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
) -> None:
    eddie = signed_in("eddie")
    page = eddie.get("/admin/inbox")
    assert page.status_code == 200
    assert "who won the football" in page.text and "Add as example" in page.text
    assert "How long does treatment last" in page.text or "ask_treatment_course" in page.text
    ids = [
        inbox["how long does immunotherapy last for??"],
        inbox["how long does immunotherapy last"],
    ]
    response = eddie.post(
        "/admin/inbox/act",
        data={
            "csrf_token": csrf_token(page.text),
            "item": [str(i) for i in ids],
            "intent": "ask_treatment_course",
            "action": "teach",
        },
    )
    assert response.status_code == 303, response.text
    page = eddie.get(response.headers["location"])
    assert "Added as training examples" in page.text
    assert "eddie" in page.text  # the examples list says who added them
    path = tmp_path / "staff_examples.yml"
    with session_factory() as session:
        assert write_examples_file(session, path) == 2
        assert {
            i.status for i in session.scalars(select(InboxItem).where(InboxItem.id.in_(ids)))
        } == {"taught"}
        assert "inbox.teach" in {e.action for e in session.scalars(select(AuditEvent))}
    assert path.read_text(encoding="utf-8").splitlines()[2:] == [
        'version: "3.1"',
        "nlu:",
        "- intent: ask_treatment_course",
        "  examples: |",
        "    - how long does immunotherapy last",
        "    - how long does immunotherapy last for??",
    ]


def test_point_to_an_article_and_dismiss(
    signed_in: Callable[[str], TestClient],
    inbox: dict[str, int],
    session_factory: sessionmaker[Session],
) -> None:
    eddie = signed_in("eddie")
    token = csrf_token(eddie.get("/admin/inbox").text)
    pointed = eddie.post(
        "/admin/inbox/act",
        data={
            "csrf_token": token,
            "item": str(inbox["how long does immunotherapy last"]),
            "slug": "treatment-course",
            "action": "point",
        },
    )
    assert pointed.status_code == 303
    dismissed = eddie.post(
        "/admin/inbox/act",
        data={"csrf_token": token, "item": str(inbox["who won the football"]), "action": "dismiss"},
    )
    assert dismissed.status_code == 303
    page = eddie.get("/admin/inbox").text
    assert "who won the football" not in page
    again = eddie.post(
        "/admin/inbox/act",
        data={"csrf_token": token, "item": str(inbox["who won the football"]), "action": "dismiss"},
    )
    assert again.status_code == 400 and "already handled" in again.text
    with session_factory() as session:
        item = session.get(InboxItem, inbox["how long does immunotherapy last"])
        assert (item.status, item.resolution, item.resolved_by) == (
            "pointed",
            "treatment-course",
            "eddie",
        )


def test_a_post_without_csrf_token_changes_nothing(
    signed_in: Callable[[str], TestClient],
    inbox: dict[str, int],
    session_factory: sessionmaker[Session],
) -> None:
    eddie = signed_in("eddie")
    response = eddie.post(
        "/admin/inbox/act", data={"item": str(inbox["who won the football"]), "action": "dismiss"}
    )
    assert response.status_code == 403
    assert eddie.post("/admin/inbox/sync").status_code == 403
    with session_factory() as session:
        assert session.get(InboxItem, inbox["who won the football"]).status == "open"


def test_signed_out_visitors_cannot_see_the_inbox(new_client: Callable[[], TestClient]) -> None:
    response = new_client().get("/admin/inbox")
    assert response.status_code == 303 and "/admin/login" in response.headers["location"]


def test_sync_with_no_tracker_store_says_what_to_do(
    signed_in: Callable[[str], TestClient],
) -> None:
    eddie = signed_in("eddie")
    token = csrf_token(eddie.get("/admin/inbox").text)
    response = eddie.post("/admin/inbox/sync", data={"csrf_token": token})
    assert response.status_code == 400
    assert "does not exist yet" in response.text or "Cannot read" in response.text
