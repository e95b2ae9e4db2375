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
    """Open messages, already redacted as a sync would store them, with their language."""
    rows = {
        "how long does immunotherapy last for??": ("low_confidence", "ask_treatment_course", "en"),
        "how long does immunotherapy last": ("low_confidence", "ask_treatment_course", "en"),
        "who won the football": ("out_of_scope", "out_of_scope", "en"),
        "combien de temps dure le traitement": ("low_confidence", "ask_treatment_course", "fr"),
        "blorp": ("not_understood", None, None),
    }
    with session_factory.begin() as session:
        items = {
            text: InboxItem(
                text=text, group_key=text, reason=reason, intent=intent, language=language
            )
            for text, (reason, intent, language) in rows.items()
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
        "  metadata:",
        "    language: en",
        "  examples: |",
        "    - how long does immunotherapy last",
        "    - how long does immunotherapy last for??",
    ]


def test_each_message_shows_its_language_and_teaches_that_languages_examples(
    signed_in: Callable[[str], TestClient],
    inbox: dict[str, int],
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    eddie = signed_in("eddie")
    page = eddie.get("/admin/inbox")
    french = inbox["combien de temps dure le traitement"]
    assert f'<label for="item-{french}" lang="fr">combien de temps dure le traitement' in page.text
    assert f'<label for="item-{inbox["blorp"]}">blorp' in page.text  # unknown: no lang claimed
    assert '<abbr title="Français" lang="fr">FR</abbr>' in page.text
    assert '<abbr title="language not known">?</abbr>' in page.text
    assert f'id="language-{inbox["blorp"]}"' in page.text  # staff say it for the "?" ones
    assert f'id="language-{french}"' not in page.text  # a known language is not asked
    only_fr = eddie.get("/admin/inbox", params={"language": "fr"})
    shown = [i.text for g in only_fr.context["groups"] for i in g.items]  # type: ignore[attr-defined]
    assert shown == ["combien de temps dure le traitement"]
    token = csrf_token(page.text)
    for item, extra in ((french, {}), (inbox["blorp"], {"language": "fr"})):
        response = eddie.post(
            "/admin/inbox/act",
            data={
                "csrf_token": token,
                "item": str(item),
                "intent": "ask_treatment_course",
                "action": "teach",
                **extra,
            },
        )
        assert response.status_code == 303, response.text
    page = eddie.get("/admin/inbox")
    assert '<td lang="fr">combien de temps dure le traitement</td><td>FR</td>' in page.text
    path = tmp_path / "staff_examples.yml"
    with session_factory() as session:
        assert write_examples_file(session, path) == 2
    assert path.read_text(encoding="utf-8").splitlines()[4:] == [
        "- intent: ask_treatment_course",
        "  metadata:",
        "    language: fr",
        "  examples: |",
        "    - blorp",
        "    - combien de temps dure le traitement",
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
