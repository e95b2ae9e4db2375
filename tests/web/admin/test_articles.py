"""The answer pages through the real app (TestClient): roles, CSRF, publish, preview."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore
from bot.kb.tables import Article, HospitalSetting
from bot.kb.topics import REQUIRED_SLUGS
from bot.staff.revisions import edit
from bot.staff.roles import Actor
from bot.staff.tables import ArticleRevision, AuditEvent
from tests.support.staff_client import csrf_token

SLUG = "car-t-cells"
NEW_ANSWER = "CAR-T cells are your own immune cells, changed in a lab to find the cancer."


def editor_form(client: TestClient, slug: str = SLUG, **changes: str) -> dict[str, str]:
    """The editor's form as the page fills it, with `changes` typed in."""
    page = client.get(f"/admin/articles/{slug}")
    assert page.status_code == 200, page.text
    values = dict(page.context["values"])  # type: ignore[attr-defined]
    return {
        **values,
        "csrf_token": csrf_token(page.text),
        "based_on": "",
        "reason": "Shorter answer",
        **changes,
    }


def counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(ArticleRevision)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            session.scalar(select(func.count()).select_from(HospitalSetting)) or 0,
        )


def test_article_list_searches_and_filters(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("eddie")
    everything = client.get("/admin/articles")
    assert everything.status_code == 200 and len(everything.context["rows"]) == len(REQUIRED_SLUGS)
    found = client.get("/admin/articles", params={"q": "Kymriah"})  # only in terms: not text
    assert [r.slug for r in found.context["rows"]] == []
    found = client.get("/admin/articles", params={"q": "receptor hook"})
    assert [r.slug for r in found.context["rows"]] == [SLUG]
    found = client.get("/admin/articles", params={"group": "hospital"})
    assert {r.slug for r in found.context["rows"]} == {
        "curie-immunotherapy-center",
        "contact-care-team",
    }
    assert client.get("/admin/articles", params={"old": "1"}).context["rows"] == []
    assert "Waiting for your review" not in everything.text  # the queue is for reviewers


def test_editor_saves_and_submits_reviewer_publishes_and_next_answer_has_it(
    signed_in: Callable[[str], TestClient], store: ArticleStore
) -> None:
    eddie = signed_in("eddie")
    response = eddie.post(
        f"/admin/articles/{SLUG}", data=editor_form(eddie, answer=NEW_ANSWER, action="draft")
    )
    assert response.status_code == 303
    assert store.answer_for(SLUG).text != NEW_ANSWER
    response = eddie.post(f"/admin/articles/{SLUG}", data=editor_form(eddie, action="submit"))
    assert response.status_code == 303

    rita = signed_in("rita")
    listing = rita.get("/admin/articles", params={"status": "review"})
    assert [r.slug for r in listing.context["rows"]] == [SLUG]
    assert [r.number for r in listing.context["queue"]] == [3]
    history = rita.get(f"/admin/articles/{SLUG}/history")
    assert "<del>" in history.text and "<ins>" in history.text
    response = rita.post(
        f"/admin/articles/{SLUG}/review",
        data={"csrf_token": csrf_token(history.text), "number": "3", "decision": "publish"},
    )
    assert response.status_code == 303
    assert store.answer_for(SLUG).text == NEW_ANSWER


def test_reviewer_publishes_directly_from_the_editor(
    signed_in: Callable[[str], TestClient], store: ArticleStore
) -> None:
    rita = signed_in("rita")
    response = rita.post(
        f"/admin/articles/{SLUG}", data=editor_form(rita, answer=NEW_ANSWER, action="publish")
    )
    assert response.status_code == 303, response.text
    assert store.answer_for(SLUG).text == NEW_ANSWER


def test_an_editor_cannot_publish_revert_unpublish_or_import(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    eddie = signed_in("eddie")
    form = editor_form(eddie, answer=NEW_ANSWER, action="publish")
    token = form["csrf_token"]
    before = counts(session_factory)
    assert eddie.post(f"/admin/articles/{SLUG}", data=form).status_code == 403
    for path, data in (
        (f"/admin/articles/{SLUG}/revert", {"number": "1"}),
        (f"/admin/articles/{SLUG}/unpublish", {"reason": "old"}),
        (f"/admin/articles/{SLUG}/review", {"number": "1", "decision": "publish"}),
        ("/admin/articles/import", {"carried": "", "confirm": "yes"}),
    ):
        assert eddie.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert eddie.get("/admin/articles/import").status_code == 403
    assert counts(session_factory) == before
    assert store.answer_for(SLUG).text != NEW_ANSWER


def test_a_post_without_the_csrf_token_changes_nothing(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    rita = signed_in("rita")
    form = editor_form(rita, answer=NEW_ANSWER, action="publish")
    del form["csrf_token"]
    before = counts(session_factory)
    assert rita.post(f"/admin/articles/{SLUG}", data=form).status_code == 403
    assert rita.post(f"/admin/articles/{SLUG}/revert", data={"number": "1"}).status_code == 403
    preview = rita.post("/admin/articles/preview", json={"answer": "x"})
    assert preview.status_code == 403
    assert counts(session_factory) == before
    assert store.answer_for(SLUG).text != NEW_ANSWER


def test_submit_with_errors_shows_them_and_saves_nothing(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    eddie = signed_in("eddie")
    before = counts(session_factory)
    response = eddie.post(
        f"/admin/articles/{SLUG}",
        data=editor_form(eddie, answer="Call {phone}.", action="submit"),
    )
    assert response.status_code == 400
    assert "unknown placeholder {phone}" in response.text
    assert "Call {phone}.</textarea>" in response.text  # the typed text is kept
    missing_reason = editor_form(eddie, reason=" ", action="draft")
    response = eddie.post(f"/admin/articles/{SLUG}", data=missing_reason)
    assert response.status_code == 400 and "Say why" in response.text
    assert counts(session_factory) == before


def test_history_reverts_in_one_click(
    signed_in: Callable[[str], TestClient], store: ArticleStore
) -> None:
    original = store.answer_for(SLUG).text
    rita = signed_in("rita")
    rita.post(
        f"/admin/articles/{SLUG}", data=editor_form(rita, answer=NEW_ANSWER, action="publish")
    )
    history = rita.get(f"/admin/articles/{SLUG}/history")
    assert "Revert to this version (1)" in history.text
    response = rita.post(
        f"/admin/articles/{SLUG}/revert",
        data={"csrf_token": csrf_token(history.text), "number": "1"},
    )
    assert response.status_code == 303
    assert store.answer_for(SLUG).text == original
    assert "Reverted to version 1" in rita.get(f"/admin/articles/{SLUG}/history").text


def test_unpublishing_a_linked_article_is_refused_with_the_reason(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    base = {
        "title": "Sleep",
        "group": "living",
        "answer": "Many people sleep badly during treatment.",
        "related": [],
        "terms": {},
        "sources": [{"name": "Institut Curie", "url": "https://curie.fr/"}],
    }
    with session_factory.begin() as session:
        edit(
            session,
            "publish",
            "sleep",
            {**base, "slug": "sleep"},
            "new",
            None,
            actor=Actor.operator(),
        )
        edit(
            session,
            "publish",
            "sleep-tips",
            {**base, "slug": "sleep-tips", "related": ["sleep"]},
            "new",
            None,
            actor=Actor.operator(),
        )
    rita = signed_in("rita")
    history = rita.get("/admin/articles/sleep/history")
    response = rita.post(
        "/admin/articles/sleep/unpublish",
        data={"csrf_token": csrf_token(history.text), "reason": "Not needed"},
    )
    assert response.status_code == 400
    assert "these published articles link to it: sleep-tips" in response.text
    assert store.answer_for("sleep").slug == "sleep"


def test_preview_renders_like_the_chat_with_grade_words_and_problems(
    signed_in: Callable[[str], TestClient],
) -> None:
    eddie = signed_in("eddie")
    form = editor_form(eddie)
    token = form.pop("csrf_token")
    hard = "Immunotherapeutic pharmacological interventions necessitate comprehensive. " * 6
    response = eddie.post(
        "/admin/articles/preview",
        json={**form, "answer": "Call us on {care_team_phone}. " + hard, "details": ""},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    data = response.json()
    (message,) = data["messages"]
    assert message["text"].startswith("Call us on [care-team phone number")
    assert message["source_line"].startswith("Source: Institut Curie")
    assert "Last updated" in message["source_line"]
    assert message["sources"][0]["name"].startswith("Institut Curie")
    assert message["buttons"][0] == {
        "title": "Side effects of CAR-T cell therapy",
        "payload": "/ask_side_effects_car_t",
    }
    assert message["kb_article"] == SLUG
    assert data["measures"]["answer"]["words"] == 34
    assert data["measures"]["answer"]["grade"] > 8
    assert data["details"] == []
    assert [p["field"] for p in data["problems"]] == ["answer"]
    assert "reads at grade" in data["problems"][0]["message"]

    bad = eddie.post(
        "/admin/articles/preview",
        content=b"\xff not json",
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400


def test_settings_are_admin_only_audited_and_used_in_the_next_answer(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    rita = signed_in("rita")
    assert rita.get("/admin/settings").status_code == 403
    alice = signed_in("alice")
    page = alice.get("/admin/settings")
    assert page.status_code == 200
    form = {key: value for key, _, value, _ in page.context["fields"]}
    form.update(care_team_phone="01 44 32 40 00", csrf_token=csrf_token(page.text))
    assert rita.post("/admin/settings", data=form).status_code == 403
    assert alice.post("/admin/settings", data=form).status_code == 303
    assert "01 44 32 40 00" in store.answer_for("contact-care-team").text
    with session_factory() as session:
        changes = select(AuditEvent.target).where(AuditEvent.action == "settings.change")
        assert session.scalars(changes).all() == ["care_team_phone"]
    response = alice.post("/admin/settings", data={**form, "care_team_hours": "x" * 301})
    assert response.status_code == 400 and "under 300 characters" in response.text


def test_export_then_import_plans_nothing_and_a_change_is_applied_on_confirm(
    signed_in: Callable[[str], TestClient], store: ArticleStore
) -> None:
    rita = signed_in("rita")
    exported = rita.get("/admin/articles/export")
    assert exported.headers["content-type"] == "application/zip"
    page = rita.get("/admin/articles/import")
    token = csrf_token(page.text)
    plan = rita.post(
        "/admin/articles/import",
        data={"csrf_token": token},
        files={"files": ("kb.zip", exported.content, "application/zip")},
    )
    assert plan.status_code == 200
    with store.session_factory() as session:  # every language version is a file
        versions = session.scalar(select(func.count()).select_from(Article))
    assert f"0 to add, 0 to change, {versions} unchanged" in plan.text
    assert "Apply this import" not in plan.text

    car_t = yaml.safe_load(zipfile.ZipFile(io.BytesIO(exported.content)).read(f"{SLUG}.yml"))
    car_t["answer"] = NEW_ANSWER
    upload = ("car-t-cells.yml", yaml.safe_dump(car_t).encode(), "application/yaml")
    plan = rita.post("/admin/articles/import", data={"csrf_token": token}, files={"files": upload})
    assert f"0 to add, 1 to change, 0 unchanged, {versions - 1}" in plan.text
    assert store.answer_for(SLUG).text != NEW_ANSWER
    carried = plan.context["carried"]
    done = rita.post(
        "/admin/articles/import", data={"csrf_token": token, "carried": carried, "confirm": "yes"}
    )
    assert done.status_code == 303
    assert store.answer_for(SLUG).text == NEW_ANSWER


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kb.zip", b"PK\x03\x04 broken", "is not a zip file"),
        ("car-t-cells.yml", b"slug: [", "is not valid YAML"),
        ("car-t-cells.yml", b"\xff\xfe\x00", "is not UTF-8"),
        ("notes.txt", b"hello", "is not an article file"),
    ],
)
def test_a_malformed_import_shows_the_problem_and_offers_nothing_to_apply(
    signed_in: Callable[[str], TestClient],
    session_factory: sessionmaker[Session],
    name: str,
    content: bytes,
    message: str,
) -> None:
    rita = signed_in("rita")
    token = csrf_token(rita.get("/admin/articles/import").text)
    before = counts(session_factory)
    response = rita.post(
        "/admin/articles/import", data={"csrf_token": token}, files={"files": (name, content)}
    )
    assert response.status_code == 400
    assert message in response.text and "Apply this import" not in response.text
    assert counts(session_factory) == before
    with session_factory() as session:
        english = select(func.count()).select_from(Article).where(Article.language == "en")
        assert session.scalar(english) == len(REQUIRED_SLUGS)


def test_a_reviewer_signs_off_the_published_text_and_the_list_filters_what_awaits(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    waiting = signed_in("eddie").get("/admin/articles", params={"signoff": "1"})
    assert SLUG in [r.slug for r in waiting.context["rows"]]
    eddie_page = signed_in("eddie").get(f"/admin/articles/{SLUG}")
    assert "Awaits clinical sign-off" in eddie_page.text and 'name="role"' not in eddie_page.text
    assert (
        signed_in("eddie")
        .post(
            f"/admin/articles/{SLUG}/signoff",
            data={"csrf_token": csrf_token(eddie_page.text), "role": "Nurse"},
        )
        .status_code
        == 403
    )

    rita = signed_in("rita")
    page = rita.get(f"/admin/articles/{SLUG}")
    no_role = rita.post(
        f"/admin/articles/{SLUG}/signoff", data={"csrf_token": csrf_token(page.text), "role": ""}
    )
    assert no_role.status_code == 400 and "clinical role" in no_role.text
    response = rita.post(
        f"/admin/articles/{SLUG}/signoff",
        data={"csrf_token": csrf_token(page.text), "role": "Haematologist <b>"},
    )
    assert response.status_code == 303
    page = rita.get(response.headers["location"])
    assert "Signed off. Patients now see the date" in page.text
    assert "by rita (Haematologist &lt;b&gt;)" in page.text
    assert "Clinically reviewed on" in store.answer_for(SLUG).full_text
    waiting = rita.get("/admin/articles", params={"signoff": "1"})
    # Only the English version was signed: the row still waits if a French one does.
    assert not [
        r for r in waiting.context["rows"] if r.slug == SLUG and r.version("en").awaits_sign_off
    ]
    with session_factory() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.actor, event.action, event.target) == ("rita", "article.sign_off", SLUG)

    # Publishing changed text clears the sign-off: it vouched for the old words.
    rita.post(
        f"/admin/articles/{SLUG}", data=editor_form(rita, answer=NEW_ANSWER, action="publish")
    )
    assert "Clinically reviewed" not in store.answer_for(SLUG).full_text
    waiting = rita.get("/admin/articles", params={"signoff": "1"})
    assert SLUG in [r.slug for r in waiting.context["rows"]]


def test_sources_are_edited_one_a_line_and_a_missing_link_is_refused(
    signed_in: Callable[[str], TestClient], store: ArticleStore
) -> None:
    rita = signed_in("rita")
    form = editor_form(rita, action="publish")
    assert form["sources"] and "https://" in form["sources"]  # "name | url" lines
    lines = "Cancer Research UK | https://www.cancerresearchuk.org/\nA page with no link\n"
    refused = rita.post(f"/admin/articles/{SLUG}", data={**form, "sources": lines})
    assert refused.status_code == 400
    assert "source 2 (A page with no link) has no url" in refused.text
    lines = (
        "Cancer Research UK | https://www.cancerresearchuk.org/\n\nNCI | https://www.cancer.gov/"
    )
    assert rita.post(f"/admin/articles/{SLUG}", data={**form, "sources": lines}).status_code == 303
    answer = store.answer_for(SLUG)
    assert [(s.name, s.url) for s in answer.sources] == [
        ("Cancer Research UK", "https://www.cancerresearchuk.org/"),
        ("NCI", "https://www.cancer.gov/"),
    ]
    assert answer.source_line is not None
    assert answer.source_line.startswith("Source: Cancer Research UK; NCI. Last updated")
