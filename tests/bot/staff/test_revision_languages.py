"""Each language version of an article is edited, reviewed, dated and signed off on its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.store import ArticleStore, get_article
from bot.kb.topics import domain_intents
from bot.settings import PROJECT_ROOT
from bot.staff.article_list import article_rows
from bot.staff.revision_checks import RevisionError
from bot.staff.revisions import edit, revert, revisions, unpublish, working_fields
from bot.staff.roles import Actor
from bot.staff.sign_off import sign_off

INTENTS = domain_intents(PROJECT_ROOT / "domain.yml")
SLUG = "car-t-cells"
EDITOR = Actor("eddie", "editor")
REVIEWER = Actor("rita", "reviewer")
LONG_AGO = dt.date(2026, 1, 5)


def french(**changes: Any) -> dict[str, Any]:
    """A French version of car-t-cells as the editor's French column posts it."""
    return {
        "slug": SLUG,
        "title": "Les cellules CAR-T",
        "answer": "On prend vos globules blancs. On les change pour qu'ils trouvent le cancer.",
        "terms": {"therapy": ["lymphocytes CAR-T"]},
        "sources": [
            {"name": "Institut national du cancer (INCa)", "url": "https://www.e-cancer.fr/"}
        ],
        **changes,
    }


def english_state(factory: sessionmaker[Session]) -> tuple[Any, ...]:
    with factory() as session:
        article = get_article(session, SLUG, published_only=False)
        assert article is not None
        return (
            article.title,
            article.answer,
            article.updated_on,
            article.signed_off_by,
            article.signed_off_on,
        )


def publish_french(factory: sessionmaker[Session], **changes: Any) -> None:
    with factory.begin() as session:
        edit(
            session,
            "publish",
            SLUG,
            french(**changes),
            "Version française",
            INTENTS,
            actor=REVIEWER,
            language="fr",
        )


def test_saving_the_french_version_leaves_the_english_text_date_and_sign_off(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        get_article(session, SLUG).updated_on = LONG_AGO
        sign_off(session, SLUG, "Haematologist", actor=REVIEWER)
    before = english_state(session_factory)
    english_answer = store.answer_for(SLUG).text
    with session_factory.begin() as session:
        draft = edit(
            session, "draft", SLUG, french(), "Traduction", None, actor=EDITOR, language="fr"
        )
        assert (draft.language, draft.fields["language"]) == ("fr", "fr")
        assert "group" not in draft.fields and "related" not in draft.fields  # the English's
    publish_french(session_factory)
    assert english_state(session_factory) == before
    assert store.answer_for(SLUG).text == english_answer
    assert store.answer_for(SLUG, language="fr").text == french()["answer"]
    with session_factory() as session:
        fr = get_article(session, SLUG, language="fr")
        en = get_article(session, SLUG)
        assert fr is not None and en is not None
        assert (fr.updated_on, fr.signed_off_on) == (dt.date.today(), None)
        assert (fr.group, fr.related) == (en.group, en.related)  # shared with English
        assert revisions(session, SLUG) == []  # the English version was never edited
        # (after the baseline of a French file, when the starter set has one)
        states = [r.state for r in revisions(session, SLUG, language="fr")]
        assert states[-2:] == ["draft", "published"]
        assert working_fields(session, SLUG, language="fr")["title"] == "Les cellules CAR-T"


def test_a_reviewer_signs_off_one_version_and_the_other_still_awaits(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    publish_french(session_factory)
    with session_factory.begin() as session:
        sign_off(session, SLUG, "Oncologue", actor=REVIEWER, language="fr")
    with session_factory() as session:
        row = next(r for r in article_rows(session) if r.slug == SLUG)
    assert row.version("fr").signed_off_by == "rita" and not row.version("fr").awaits_sign_off
    assert row.version("en").awaits_sign_off and row.awaits_sign_off
    assert "Clinically reviewed" not in store.answer_for(SLUG).full_text
    with session_factory.begin() as session:
        sign_off(session, SLUG, "Haematologist", actor=REVIEWER)
    # New English text clears the English sign-off only: the French words did not change.
    with session_factory.begin() as session:
        fields = {
            **working_fields(session, SLUG),
            "answer": "CAR-T cells are changed immune cells.",
        }
        edit(session, "publish", SLUG, fields, "Shorter", INTENTS, actor=REVIEWER)
    with session_factory() as session:
        row = next(r for r in article_rows(session) if r.slug == SLUG)
    assert row.version("en").awaits_sign_off
    assert row.version("fr").signed_off_role == "Oncologue"


def test_a_translation_needs_its_english_version_and_its_own_checks(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(RevisionError, match="English"):
        edit(
            session,
            "draft",
            "no-such-topic",
            {**french(), "slug": "no-such-topic"},
            "Essai",
            None,
            actor=EDITOR,
            language="fr",
        )
    with session_factory.begin() as session, pytest.raises(RevisionError, match="sources"):
        edit(
            session,
            "publish",
            SLUG,
            french(sources=[]),
            "Sans source",
            INTENTS,
            actor=REVIEWER,
            language="fr",
        )
    with session_factory.begin() as session, pytest.raises(RevisionError, match="version"):
        edit(session, "draft", SLUG, french(), "x", None, actor=EDITOR, language="de")


def test_reverting_a_french_revision_reverts_only_the_french_version(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    publish_french(session_factory)
    publish_french(session_factory, answer="Vos globules blancs sont changés en laboratoire.")
    english = english_state(session_factory)
    with session_factory() as session:
        first = next(
            r.number
            for r in revisions(session, SLUG, language="fr")
            if r.reason == "Version française"
        )
    with session_factory.begin() as session:
        reverted = revert(session, SLUG, first, INTENTS, actor=REVIEWER)
        assert reverted.language == "fr"
    assert store.answer_for(SLUG, language="fr").text == french()["answer"]
    assert english_state(session_factory) == english


def test_unpublishing_the_english_version_takes_the_topic_away_in_every_language(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    slug = "sleep-and-treatment"
    english = {
        "slug": slug,
        "title": "Sleep during treatment",
        "group": "living",
        "answer": "Many people sleep badly during treatment. Tell your care team.",
        "related": [],
        "terms": {},
        "sources": [{"name": "Institut Curie", "url": "https://curie.fr/"}],
    }
    with session_factory.begin() as session:
        edit(session, "publish", slug, english, "New", INTENTS, actor=REVIEWER, new=True)
        fields = {**french(), "slug": slug, "title": "Le sommeil", "terms": {}}
        edit(session, "publish", slug, fields, "FR", INTENTS, actor=REVIEWER, language="fr")
    with session_factory.begin() as session:
        unpublish(session, slug, "Le sommeil n'est plus traité", actor=REVIEWER, language="fr")
        assert get_article(session, slug) is not None  # readers of French get the English
        assert get_article(session, slug, language="fr") is None
        edit(session, "publish", slug, fields, "Again", INTENTS, actor=REVIEWER, language="fr")
    with session_factory.begin() as session:
        unpublish(session, slug, "Out of date", actor=REVIEWER)
    with session_factory() as session:
        assert get_article(session, slug, language="fr") is None
        assert get_article(session, slug) is None
        assert [r.fields["status"] for r in revisions(session, slug, language="fr")][-1] == "draft"
