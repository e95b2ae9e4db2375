"""An article's questions page through the real app: add, refuse, remove, roles, CSRF."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.staff.tables import AuditEvent
from bot.training.tables import TrainingExample
from tests.support.staff_client import csrf_token

PAGE = "/admin/articles/car-t-cells/examples"


def examples(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with factory() as session:
        rows = session.scalars(select(TrainingExample).order_by(TrainingExample.text))
        return [(e.text, e.intent) for e in rows]


def test_an_editor_adds_questions_to_an_article_and_removes_one(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    page = eddie.get(PAGE)
    assert page.status_code == 200 and "ask_car_t_cells" in page.text
    typed = "how are car-t cells made\n\n  can my own cells   fight cancer  \n"
    response = eddie.post(
        PAGE, data={"csrf_token": csrf_token(page.text), "action": "add", "examples": typed}
    )
    assert response.status_code == 303
    assert examples(session_factory) == [
        ("can my own cells fight cancer", "ask_car_t_cells"),
        ("how are car-t cells made", "ask_car_t_cells"),
    ]
    page = eddie.get(PAGE)
    assert "how are car-t cells made" in page.text
    with session_factory() as session:
        first = session.scalars(select(TrainingExample).order_by(TrainingExample.text)).first()
        assert first is not None
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert actions.count("example.add") == 2
    response = eddie.post(
        PAGE,
        data={"csrf_token": csrf_token(page.text), "action": "remove", "example": str(first.id)},
    )
    assert response.status_code == 303
    assert examples(session_factory) == [("how are car-t cells made", "ask_car_t_cells")]


def test_bad_questions_are_refused_whole_with_a_reason(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    token = csrf_token(eddie.get(PAGE).text)
    for typed, reason in (
        ("", "at least one question"),
        ("a fine question\n" + "x" * 301, "at most 300 characters"),
        ("see [this](link)", "reword"),
    ):
        response = eddie.post(PAGE, data={"csrf_token": token, "action": "add", "examples": typed})
        assert response.status_code == 400 and reason in response.text, response.text
    response = eddie.post(PAGE, data={"csrf_token": token, "action": "remove", "example": "x"})
    assert response.status_code == 400 and "reload the page" in response.text
    assert examples(session_factory) == []


def test_no_such_article_no_csrf_and_signed_out_change_nothing(
    signed_in: Callable[[str], TestClient],
    new_client: Callable[[], TestClient],
    session_factory: sessionmaker[Session],
) -> None:
    eddie = signed_in("eddie")
    token = csrf_token(eddie.get(PAGE).text)
    assert eddie.get("/admin/articles/no-such-topic/examples").status_code == 404
    data = {"csrf_token": token, "action": "add", "examples": "what is it"}
    assert eddie.post("/admin/articles/no-such-topic/examples", data=data).status_code == 404
    assert eddie.post(PAGE, data={**data, "csrf_token": "wrong"}).status_code == 403
    assert new_client().post(PAGE, data=data).status_code in (303, 401, 403)
    assert examples(session_factory) == []


def test_questions_are_added_in_the_chosen_language_and_listed_with_it(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    page = eddie.get(PAGE)
    assert '<option value="fr" lang="fr">Français</option>' in page.text
    token = csrf_token(page.text)
    typed = "comment fabrique-t-on les CAR-T"
    data = {"csrf_token": token, "action": "add", "examples": typed, "language": "fr"}
    assert eddie.post(PAGE, data=data).status_code == 303
    refused = eddie.post(PAGE, data={**data, "language": "de"})
    assert refused.status_code == 400 and "speaks en, fr" in refused.text
    with session_factory() as session:
        added = session.scalars(select(TrainingExample)).one()
    assert (added.text, added.language) == (typed, "fr")
    assert f'<td lang="fr">{typed}</td><td>FR</td>' in eddie.get(PAGE).text
