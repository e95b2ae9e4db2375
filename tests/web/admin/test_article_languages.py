"""The editor's two language versions side by side, through the real app (TestClient)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.kb.store import ArticleStore, get_article
from bot.staff.tables import ArticleRevision
from tests.support.staff_client import csrf_token

SLUG = "car-t-cells"
FRENCH = {
    "language": "fr",
    "slug": SLUG,
    "title": "Les cellules CAR-T",
    "answer": "On prend vos globules blancs. On les change pour qu'ils trouvent le cancer.",
    "details": "",
    "terms_therapy": "lymphocytes CAR-T",
    "sources": "Institut national du cancer (INCa) | https://www.e-cancer.fr/",
    "reason": "Version française",
    "based_on": "",
}


def post_french(client: TestClient, action: str, **changes: str) -> str:
    """Post the French column's form; return where it redirects."""
    token = csrf_token(client.get(f"/admin/articles/{SLUG}").text)
    data = {**FRENCH, "csrf_token": token, "action": action, **changes}
    response = client.post(f"/admin/articles/{SLUG}", data=data)
    assert response.status_code == 303, response.text[-3000:]
    return response.headers["location"]


def english(factory: sessionmaker[Session]) -> tuple[object, ...]:
    with factory() as session:
        article = get_article(session, SLUG)
        assert article is not None
        return article.title, article.answer, article.updated_on, article.signed_off_on


def test_the_editor_shows_both_versions_with_unique_ids_and_french_fields_marked(
    signed_in: Callable[[str], TestClient],
) -> None:
    page = signed_in("eddie").get(f"/admin/articles/{SLUG}")
    assert page.status_code == 200
    assert [v.language for v in page.context["versions"]] == ["en", "fr"]
    ids = re.findall(r'\sid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'id="editor"' in page.text and 'id="fr-editor"' in page.text
    assert '<textarea id="fr-answer" name="answer" lang="fr"' in page.text
    assert '<input id="fr-title" name="title" lang="fr"' in page.text
    assert 'id="fr-group"' not in page.text and 'id="fr-related"' not in page.text  # shared
    labels = re.findall(r'<label for="([^"]+)"', page.text)
    assert all(f'id="{target}"' in page.text for target in labels)
    assert "French reading ease 60 or more" in page.text


def test_saving_the_french_version_keeps_the_english_one_untouched(
    signed_in: Callable[[str], TestClient],
    store: ArticleStore,
    session_factory: sessionmaker[Session],
) -> None:
    before = english(session_factory)
    eddie = signed_in("eddie")
    where = post_french(eddie, "draft")
    assert where.endswith("lang=fr#version-fr")
    page = eddie.get(where)
    assert "Your draft was saved" in page.text
    column = page.context["versions"][1]
    assert (column.language, column.values["title"]) == ("fr", "Les cellules CAR-T")
    assert page.context["versions"][0].values["title"] == before[0]  # English as it was

    rita = signed_in("rita")
    post_french(rita, "publish", reason="Relu")
    assert english(session_factory) == before
    assert store.answer_for(SLUG, language="fr").text == FRENCH["answer"]
    with session_factory() as session:
        languages = session.scalars(select(ArticleRevision.language)).all()
    assert set(languages) == {"fr"}

    token = csrf_token(rita.get(f"/admin/articles/{SLUG}").text)
    refused = rita.post(
        f"/admin/articles/{SLUG}",
        data={**FRENCH, "csrf_token": token, "action": "publish", "sources": ""},
    )
    assert refused.status_code == 400 and "French version:" in refused.text
    assert refused.context["versions"][1].values["sources"] == ""  # what was typed stays
    assert english(session_factory) == before


def test_signing_off_french_leaves_english_awaiting_and_the_list_says_so(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    rita = signed_in("rita")
    post_french(rita, "publish")
    page = rita.get(f"/admin/articles/{SLUG}")
    assert 'for="fr-signoff-role">Clinical role for the French sign-off' in page.text
    response = rita.post(
        f"/admin/articles/{SLUG}/signoff",
        data={"csrf_token": csrf_token(page.text), "role": "Oncologue", "language": "fr"},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("#version-fr")
    with session_factory() as session:
        assert get_article(session, SLUG, language="fr").signed_off_by == "rita"
        assert get_article(session, SLUG).signed_off_on is None

    listing = rita.get("/admin/articles", params={"signoff": "1"})
    row = next(r for r in listing.context["rows"] if r.slug == SLUG)
    assert row.version("en").awaits_sign_off and not row.version("fr").awaits_sign_off
    cell = re.search(
        rf'<a href="/admin/articles/{SLUG}">.*?</tr>', listing.text, flags=re.DOTALL
    ).group(0)
    assert "EN</abbr>: awaiting sign-off" in cell
    assert "FR</abbr>: " in cell and "rita (Oncologue)" in cell
    assert f'<a href="/admin/articles/{SLUG}#version-fr" lang="fr">Les cellules CAR-T</a>' in cell


def test_each_version_has_its_own_history_and_review(
    signed_in: Callable[[str], TestClient], store: ArticleStore
) -> None:
    eddie = signed_in("eddie")
    post_french(eddie, "submit")
    rita = signed_in("rita")
    queue = rita.get("/admin/articles").context["queue"]
    assert [(r.slug, r.language) for r in queue] == [(SLUG, "fr")]
    english_history = rita.get(f"/admin/articles/{SLUG}/history")
    assert english_history.context["entries"] == []
    history = rita.get(f"/admin/articles/{SLUG}/history", params={"lang": "fr"})
    assert history.status_code == 200 and "the French version" in history.text
    entry = history.context["entries"][0]  # newest first (a French file's baseline after it)
    assert entry.revision.language == "fr" and entry.revision.state == "submitted"
    published = rita.post(
        f"/admin/articles/{SLUG}/review",
        data={
            "csrf_token": csrf_token(history.text),
            "number": str(entry.revision.number),
            "decision": "publish",
        },
    )
    assert published.status_code == 303 and "lang=fr" in published.headers["location"]
    assert store.answer_for(SLUG, language="fr").text == FRENCH["answer"]


def test_the_preview_measures_french_with_the_french_formula(
    signed_in: Callable[[str], TestClient],
) -> None:
    eddie = signed_in("eddie")
    token = csrf_token(eddie.get(f"/admin/articles/{SLUG}").text)
    long_answer = " ".join(["Vous pouvez poser vos questions à l'équipe."] * 4)
    response = eddie.post(
        "/admin/articles/preview",
        json={**FRENCH, "answer": long_answer},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["language"] == "fr"
    answer = data["measures"]["answer"]
    assert answer["language"] == "fr" and answer["grade"] is None and answer["ease"] > 0
    assert data["messages"] and not [p for p in data["problems"] if p["severity"] == "error"]


def test_every_page_of_both_versions_keeps_its_ids_unique_and_its_labels_bound(
    signed_in: Callable[[str], TestClient],
) -> None:
    rita = signed_in("rita")
    post_french(rita, "publish")
    for path in (
        "/admin/articles",
        f"/admin/articles/{SLUG}",
        f"/admin/articles/{SLUG}/history",
        f"/admin/articles/{SLUG}/history?lang=fr",
        "/admin/inbox",
    ):
        page = rita.get(path)
        assert page.status_code == 200, path
        ids = re.findall(r'\sid="([^"]+)"', page.text)
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))
        for target in re.findall(r'<label for="([^"]+)"', page.text):
            assert f'id="{target}"' in page.text, (path, target)
