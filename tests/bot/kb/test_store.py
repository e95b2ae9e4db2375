"""The store on a real SQLite database: loading, answering, edits and failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.kb.files import KnowledgeBase, read_kb
from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.kb.store import ArticleStore, export_articles, get_article, load_articles
from bot.kb.tables import DRAFT, Article, HospitalSetting
from bot.kb.topics import intent_for_slug


def test_load_inserts_then_reports_unchanged(
    session_factory: sessionmaker[Session], starter_kb: KnowledgeBase
) -> None:
    with session_factory.begin() as session:
        first = load_articles(session, starter_kb.articles)
    with session_factory.begin() as session:
        second = load_articles(session, starter_kb.articles)
    assert len(first.added) == len(starter_kb.articles)
    assert second.added == [] and second.kept == []
    assert len(second.unchanged) == len(starter_kb.articles)


def test_load_never_overwrites_what_staff_changed(
    store: ArticleStore, starter_kb: KnowledgeBase
) -> None:
    with store.session_factory.begin() as session:
        session.execute(
            update(Article)
            .where(Article.slug == "thanks", Article.language == "en")
            .values(answer="Edited.")
        )
    with store.session_factory.begin() as session:
        report = load_articles(session, starter_kb.articles)
    assert report.kept == ["thanks"]
    assert store.answer_for("thanks").text == "Edited."


def test_answer_has_text_buttons_sources_and_last_updated_date(store: ArticleStore) -> None:
    answer = store.answer_for("side-effects-overview")
    assert answer.slug == "side-effects-overview" and not answer.urgent
    assert answer.buttons, "related topics become buttons"
    assert all(b.payload.startswith("/ask_") for b in answer.buttons)
    assert "/" + intent_for_slug("urgent-symptoms") in [b.payload for b in answer.buttons]
    assert answer.source_line and answer.source_line.startswith("Source: ")
    assert "Last updated " in answer.source_line
    assert "reviewed" not in answer.source_line.lower(), "starter articles ship unsigned"
    assert answer.full_text.endswith(answer.source_line)


def test_only_a_signed_off_article_says_clinically_reviewed(store: ArticleStore) -> None:
    with store.session_factory.begin() as session:
        article = get_article(session, "car-t-cells")
        assert article is not None and article.signed_off_on is None
        article.updated_on = dt.date(2026, 12, 1)
        article.signed_off_by, article.signed_off_role = "dr-martin", "Haematologist"
        article.signed_off_on = dt.date(2026, 12, 3)
    answer = store.answer_for("car-t-cells")
    assert answer.source_line is not None and answer.source_line.endswith(
        " Last updated 1 December 2026. Clinically reviewed on 3 December 2026."
    )
    assert "dr-martin" not in answer.full_text  # the name is for the audit, not the chat
    assert answer.updated_on == dt.date(2026, 12, 1)
    assert answer.clinically_reviewed_on == dt.date(2026, 12, 3)


def test_hospital_settings_fill_the_placeholders(store: ArticleStore) -> None:
    assert HOSPITAL_DEFAULTS["care_team_phone"] in store.answer_for("contact-care-team").text
    with store.session_factory.begin() as session:
        session.add(HospitalSetting(key="care_team_phone", value="01 00 00 00 00"))
    text = store.answer_for("contact-care-team").text
    assert "01 00 00 00 00" in text and "{care_team_phone}" not in text


def test_the_greeting_names_the_hospital_set_by_staff(store: ArticleStore) -> None:
    assert "I am the Institut Curie immunotherapy assistant" in store.answer_for("greeting").text
    with store.session_factory.begin() as session:
        session.add(HospitalSetting(key="hospital_name", value="Centre Léon Bérard"))
    for slug in ("greeting", "capabilities", "out-of-scope"):
        text = store.answer_for(slug).text
        assert "Centre Léon Bérard" in text and "Institut Curie" not in text, slug


def test_an_edit_shows_on_the_next_answer(store: ArticleStore) -> None:
    with store.session_factory.begin() as session:
        session.execute(
            update(Article).where(Article.slug == "goodbye").values(answer="See you soon.")
        )
    assert store.answer_for("goodbye").text == "See you soon."


def test_drafts_and_unknown_slugs_get_not_understood(store: ArticleStore) -> None:
    with store.session_factory.begin() as session:
        session.execute(update(Article).where(Article.slug == "goodbye").values(status=DRAFT))
    assert store.answer_for("goodbye").slug == "not-understood"
    assert store.answer_for("no-such-topic").slug == "not-understood"


def test_urgent_answer_survives_a_missing_article(store: ArticleStore) -> None:
    with store.session_factory.begin() as session:
        session.execute(
            update(Article).where(Article.slug == "urgent-symptoms").values(status=DRAFT)
        )
    answer = store.answer_for("urgent-symptoms")
    assert answer.urgent and answer.slug == "urgent-symptoms"
    assert "15" in answer.text and "112" in answer.text


def test_details_are_the_longer_text(store: ArticleStore) -> None:
    answer, details = store.answer_for("car-t-cells"), store.details_for("car-t-cells")
    assert details.slug == "car-t-cells" and details.text != answer.text


def test_terms_and_slugs_point_to_their_article(store: ArticleStore) -> None:
    assert store.slugs_for_terms(["Keytruda", "  kymriah ", "car-t-cells", "opdivo"]) == [
        "checkpoint-inhibitors",
        "car-t-cells",
    ]
    assert store.slugs_for_terms(["'; DROP TABLE article; --", ""]) == []


def test_unreachable_database_gives_the_contact_answer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    store = ArticleStore(make_session_factory(engine))
    answer = store.answer_for("car-t-cells")
    assert answer.slug == "not-understood"
    assert HOSPITAL_DEFAULTS["care_team_phone"] in answer.text and "112" in answer.text
    assert store.answer_for("urgent-symptoms").urgent


def test_export_round_trip_changes_nothing(
    store: ArticleStore, starter_kb: KnowledgeBase, tmp_path: Path
) -> None:
    with store.session_factory() as session:
        export_articles(session, tmp_path)
        count = len(session.scalars(select(Article)).all())
    exported = read_kb(tmp_path)
    assert exported.errors == () and len(exported.articles) == count
    assert sorted(exported.articles, key=lambda a: a["slug"]) == sorted(
        starter_kb.articles, key=lambda a: a["slug"]
    )
