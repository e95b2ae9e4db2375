"""Answers in French: the French version when published, else the English one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from bot.kb.answers import custom_json
from bot.kb.files import KnowledgeBase, read_kb
from bot.kb.store import (
    ArticleStore,
    export_articles,
    get_article,
    load_articles,
    published_articles,
    related_titles,
)
from bot.kb.tables import DRAFT, Article


@pytest.fixture
def french_kb(starter_kb: KnowledgeBase) -> list[dict[str, Any]]:
    by_slug = {a["slug"]: a for a in starter_kb.articles if "language" not in a}
    versions = [
        ("car-t-cells", "Les cellules CAR-T", "Les cellules CAR-T sont vos propres cellules."),
        ("side-effects-car-t", "Effets secondaires des CAR-T", "Ils peuvent être graves."),
        ("not-understood", "Je n'ai pas compris", "Je n'ai pas compris. Reformulez."),
    ]
    return [
        {
            **by_slug[slug],
            "language": "fr",
            "title": title,
            "answer": answer,
            "details": None,
            "terms": {"therapy": ["cellules CAR-T"]} if slug == "car-t-cells" else {},
            "updated_on": dt.date(2026, 12, 7),
        }
        for slug, title, answer in versions
    ]


@pytest.fixture
def fr_store(english_store: ArticleStore, french_kb: list[dict[str, Any]]) -> ArticleStore:
    store = english_store
    with store.session_factory.begin() as session:
        report = load_articles(session, french_kb)
    assert report.added == ["fr/car-t-cells", "fr/side-effects-car-t", "fr/not-understood"]
    return store


def test_a_french_reader_gets_the_french_version_with_french_labels(
    fr_store: ArticleStore,
) -> None:
    answer = fr_store.answer_for("car-t-cells", language="fr")
    assert answer.text == "Les cellules CAR-T sont vos propres cellules."
    assert answer.source_line is not None and answer.source_line.startswith("Source : ")
    assert answer.source_line.endswith("Mis à jour le 7 décembre 2026.")
    assert custom_json(answer)["language"] == "fr"
    titles = [b.title for b in answer.buttons]
    assert titles[0] == "Effets secondaires des CAR-T"  # in French where published
    assert len(titles) == 4  # the English version's links, English titles as fallback
    assert fr_store.answer_for("car-t-cells").text.startswith("CAR-T cell therapy")


def test_without_a_published_french_version_the_english_one_answers(
    fr_store: ArticleStore,
) -> None:
    with fr_store.session_factory.begin() as session:
        session.execute(
            update(Article)
            .where(Article.slug == "car-t-cells", Article.language == "fr")
            .values(status=DRAFT)
        )
    answer = fr_store.answer_for("car-t-cells", language="fr")
    assert answer.text.startswith("CAR-T cell therapy") and answer.language == "en"
    assert answer.source_line is not None and answer.source_line.startswith("Source: ")
    unknown = fr_store.answer_for("no-such-topic", language="fr")
    assert unknown.slug == "not-understood" and unknown.text.startswith("Je n'ai pas compris")


def test_french_did_you_mean_unavailable_and_urgent_fallback(
    fr_store: ArticleStore, tmp_path: Path
) -> None:
    offer = fr_store.did_you_mean(["car-t-cells", "types-overview"], language="fr")
    assert offer.text.startswith("Je ne suis pas sûr du sujet")
    assert offer.buttons[0].title == "Les cellules CAR-T"
    assert custom_json(offer)["language"] == "fr"
    broken = ArticleStore(sessionmaker())  # no database bound: every read fails
    assert broken.answer_for("car-t-cells", language="fr").text.startswith("Désolé")
    urgent = broken.answer_for("urgent-symptoms", language="fr")
    assert urgent.urgent and "15 (SAMU)" in urgent.text and "112" in urgent.text
    assert [c.label for c in urgent.calls] == [
        "Appeler le 15 (SAMU)",
        "Appeler le 112 (urgences)",
    ]


def test_french_terms_find_their_article_and_english_ones_still_do(
    fr_store: ArticleStore,
) -> None:
    assert fr_store.slugs_for_terms(["Cellules CAR-T", "Keytruda"], language="fr") == [
        "car-t-cells",
        "checkpoint-inhibitors",
    ]
    assert fr_store.slugs_for_terms(["cellules car-t"]) == []  # not an English term


def test_topic_list_and_titles_in_french_fall_back_to_english(
    fr_store: ArticleStore, starter_kb: KnowledgeBase
) -> None:
    with fr_store.session_factory() as session:
        listed = published_articles(session, language="fr")
        english = published_articles(session)
        titles = related_titles(session, ["types-overview", "car-t-cells"], language="fr")
        assert get_article(session, "car-t-cells", language="fr") is not None
    assert len(listed) == len(english)
    assert {a.slug: a.language for a in listed}["car-t-cells"] == "fr"
    assert list(titles) == ["types-overview", "car-t-cells"]
    assert titles["car-t-cells"] == "Les cellules CAR-T"


def test_load_keeps_staffs_french_copy_and_export_writes_the_fr_folder(
    fr_store: ArticleStore, french_kb: list[dict[str, Any]], tmp_path: Path
) -> None:
    with fr_store.session_factory.begin() as session:
        session.execute(
            update(Article)
            .where(Article.slug == "car-t-cells", Article.language == "fr")
            .values(answer="Modifié.")
        )
    with fr_store.session_factory.begin() as session:
        report = load_articles(session, french_kb)
    assert report.kept == ["fr/car-t-cells"] and report.added == []
    with fr_store.session_factory() as session:
        export_articles(session, tmp_path)
    assert (tmp_path / "fr" / "car-t-cells.yml").read_text("utf-8").startswith("slug: car-t-cells")
    exported = read_kb(tmp_path)
    versions = {(a["slug"], a.get("language", "en")) for a in exported.articles}
    assert ("car-t-cells", "fr") in versions and ("car-t-cells", "en") in versions
    assert not [p for p in exported.errors if "fr/" in p.file and "lacks" not in p.message]
