"""Article revisions on a real database with the starter knowledge base."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotAllowed
from bot.kb.files import KnowledgeBase
from bot.kb.reading_level import measures
from bot.kb.store import ArticleStore
from bot.kb.tables import DRAFT, Article
from bot.kb.topics import domain_intents
from bot.settings import PROJECT_ROOT
from bot.staff.article_diff import diff_fields, word_diff
from bot.staff.revision_checks import RevisionError
from bot.staff.revisions import (
    BASELINE_AUTHOR,
    approve,
    edit,
    pending_submissions,
    reject,
    revert,
    revisions,
    unpublish,
    working_fields,
)
from bot.staff.roles import Actor
from bot.staff.tables import AuditEvent

INTENTS = domain_intents(PROJECT_ROOT / "domain.yml")
SLUG = "car-t-cells"
NEW_ANSWER = "CAR-T cells are your own immune cells, changed in a lab to find the cancer."


def fields_of(factory: sessionmaker[Session], slug: str, **changes: Any) -> dict[str, Any]:
    with factory() as session:
        fields = working_fields(session, slug)
    assert fields is not None
    return {**fields, **changes}


def audit_actions(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def new_article(**changes: Any) -> dict[str, Any]:
    return {
        "slug": "sleep-and-treatment",
        "title": "Sleep during treatment",
        "group": "living",
        "answer": "Many people sleep badly during treatment. Tell your care team.",
        "related": [],
        "terms": {},
        "sources": [{"name": "Institut Curie", "url": "https://curie.fr/"}],
        **changes,
    }


def test_first_edit_records_the_file_version_as_baseline_then_the_draft(
    store: ArticleStore, session_factory: sessionmaker[Session], starter_kb: KnowledgeBase
) -> None:
    original = store.answer_for(SLUG).text
    file_version = next(a for a in starter_kb.articles if a["slug"] == SLUG)
    with session_factory.begin() as session:
        edit(
            session,
            "draft",
            SLUG,
            fields_of(session_factory, SLUG, answer=NEW_ANSWER),
            "Shorter",
            None,
            actor=Actor("eddie", "editor"),
        )
    with session_factory() as session:
        history = revisions(session, SLUG)
        assert [(r.number, r.state, r.author) for r in history] == [
            (1, "published", BASELINE_AUTHOR),
            (2, "draft", "eddie"),
        ]
        assert history[0].fields["answer"] == original
        # stored as text, the date the file gives
        assert history[0].fields["updated_on"] == str(file_version["updated_on"])
        assert working_fields(session, SLUG)["answer"] == NEW_ANSWER
    assert store.answer_for(SLUG).text == original, "a draft is not shown to patients"
    assert audit_actions(session_factory) == ["article.draft"]


def test_a_draft_needs_a_reason_and_may_have_problems(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(RevisionError, match="why"):
        edit(
            session,
            "draft",
            SLUG,
            fields_of(session_factory, SLUG),
            "  ",
            None,
            actor=Actor("e", "editor"),
        )
    with session_factory.begin() as session:
        draft = edit(
            session,
            "draft",
            SLUG,
            fields_of(session_factory, SLUG, answer="<b>bold</b>"),
            "trying",
            None,
            actor=Actor("eddie", "editor"),
        )
        assert draft.state == "draft"


def test_submit_is_refused_while_kb_check_finds_errors(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    bad = fields_of(session_factory, SLUG, answer="See {phone}.", related=["no-such-topic"])
    with session_factory.begin() as session, pytest.raises(RevisionError) as refused:
        edit(session, "submit", SLUG, bad, "typo", INTENTS, actor=Actor("eddie", "editor"))
    assert "unknown placeholder {phone}" in str(refused.value)
    with session_factory() as session:
        assert revisions(session, SLUG) == []  # the transaction rolled back


def test_editor_submits_reviewer_publishes_and_the_next_answer_shows_it(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    fields = fields_of(session_factory, SLUG, answer=NEW_ANSWER)
    with session_factory.begin() as session:
        submitted = edit(
            session, "submit", SLUG, fields, "Shorter", INTENTS, actor=Actor("eddie", "editor")
        )
        number = submitted.number
    with session_factory() as session:
        assert [r.number for r in pending_submissions(session)] == [number]
    with session_factory.begin() as session, pytest.raises(NotAllowed):
        approve(session, SLUG, number, INTENTS, actor=Actor("eddie", "editor"))
    assert store.answer_for(SLUG).text != NEW_ANSWER
    with session_factory.begin() as session:
        approve(session, SLUG, number, INTENTS, actor=Actor("rita", "reviewer"))
    assert store.answer_for(SLUG).text == NEW_ANSWER
    with session_factory() as session:
        last = revisions(session, SLUG)[-1]
        assert (last.state, last.author, last.decided_by) == ("published", "eddie", "rita")
        assert pending_submissions(session) == []
    assert audit_actions(session_factory) == ["article.submit", "article.publish"]


def test_an_editor_cannot_publish_revert_or_unpublish(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    fields = fields_of(session_factory, SLUG, answer=NEW_ANSWER)
    for attempt in (
        lambda s: edit(s, "publish", SLUG, fields, "x", INTENTS, actor=Actor("eddie", "editor")),
        lambda s: revert(s, SLUG, 1, INTENTS, actor=Actor("eddie", "editor")),
        lambda s: unpublish(s, SLUG, "x", actor=Actor("eddie", "editor")),
    ):
        with session_factory.begin() as session, pytest.raises(NotAllowed, match="reviewer"):
            attempt(session)
    assert store.answer_for(SLUG).text != NEW_ANSWER
    assert audit_actions(session_factory) == []


def test_reject_sends_a_submission_back_with_the_reason(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    fields = fields_of(session_factory, SLUG, answer=NEW_ANSWER)
    with session_factory.begin() as session:
        number = edit(
            session, "submit", SLUG, fields, "Shorter", INTENTS, actor=Actor("e", "editor")
        ).number
    with session_factory.begin() as session:
        rejected = reject(session, SLUG, number, "Keep the drip", actor=Actor("rita", "reviewer"))
        assert rejected.state == "rejected"
        assert rejected.reason == "Shorter\nSent back by rita: Keep the drip"
    with session_factory.begin() as session, pytest.raises(RevisionError, match="not waiting"):
        approve(session, SLUG, number, INTENTS, actor=Actor("rita", "reviewer"))
    assert store.answer_for(SLUG).text != NEW_ANSWER


def test_revert_publishes_the_old_content_as_a_new_revision(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    original = store.answer_for(SLUG).text
    fields = fields_of(session_factory, SLUG, answer=NEW_ANSWER)
    with session_factory.begin() as session:
        edit(session, "publish", SLUG, fields, "Shorter", INTENTS, actor=Actor("rita", "reviewer"))
    assert store.answer_for(SLUG).text == NEW_ANSWER
    with session_factory.begin() as session:
        back = revert(session, SLUG, 1, INTENTS, actor=Actor("rita", "reviewer"))
        assert (back.number, back.reason, back.state) == (3, "Reverted to version 1", "published")
    assert store.answer_for(SLUG).text == original


def test_a_rejected_submission_cannot_be_reverted_to(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    original = store.answer_for(SLUG).text
    fields = fields_of(session_factory, SLUG, answer=NEW_ANSWER)
    with session_factory.begin() as session:
        number = edit(
            session, "submit", SLUG, fields, "Shorter", INTENTS, actor=Actor("e", "editor")
        ).number
    with session_factory.begin() as session:
        reject(session, SLUG, number, "Keep the drip", actor=Actor("rita", "reviewer"))
    with (
        session_factory.begin() as session,
        pytest.raises(RevisionError, match=f"Version {number} of {SLUG} was never published"),
    ):
        revert(session, SLUG, number, INTENTS, actor=Actor("rita", "reviewer"))
    assert store.answer_for(SLUG).text == original
    assert "article.revert" not in audit_actions(session_factory)


def test_publishing_a_new_article_creates_it_and_checks_links(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(RevisionError, match="unknown slug"):
        edit(
            session,
            "publish",
            "sleep-and-treatment",
            new_article(related=["nowhere"]),
            "new",
            INTENTS,
            actor=Actor("rita", "reviewer"),
            new=True,
        )
    with session_factory.begin() as session:
        edit(
            session,
            "publish",
            "sleep-and-treatment",
            new_article(),
            "new",
            INTENTS,
            actor=Actor("rita", "reviewer"),
            new=True,
        )
    assert store.answer_for("sleep-and-treatment").text.startswith("Many people sleep badly")
    with session_factory.begin() as session, pytest.raises(RevisionError, match="already exists"):
        edit(
            session, "draft", SLUG, new_article(), "dup", None, actor=Actor("e", "editor"), new=True
        )


def test_publish_refuses_a_term_that_another_article_owns(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(RevisionError, match="also points"):
        edit(
            session,
            "publish",
            "sleep-and-treatment",
            new_article(terms={"therapy": ["CAR-T"]}),
            "new",
            INTENTS,
            actor=Actor("rita", "reviewer"),
            new=True,
        )


def test_unpublish_refuses_required_and_linked_slugs_and_hides_the_others(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(RevisionError, match="required"):
        unpublish(session, SLUG, "old", actor=Actor("rita", "reviewer"))
    with session_factory.begin() as session:  # no intents: new topics have none in the domain yet
        edit(
            session,
            "publish",
            "sleep-and-treatment",
            new_article(),
            "new",
            None,
            actor=Actor("r", None),
        )
        edit(
            session,
            "publish",
            "sleep-tips",
            new_article(slug="sleep-tips", title="Sleep tips", related=["sleep-and-treatment"]),
            "new",
            None,
            actor=Actor("r", None),
        )
    with session_factory.begin() as session, pytest.raises(RevisionError) as refused:
        unpublish(session, "sleep-and-treatment", "old", actor=Actor("rita", "reviewer"))
    assert "these published articles link to it: sleep-tips" in str(refused.value)
    with session_factory.begin() as session:
        unpublish(session, "sleep-tips", "not needed", actor=Actor("rita", "reviewer"))
    with session_factory() as session:
        row = session.scalars(select(Article).where(Article.slug == "sleep-tips")).one()
        assert row.status == DRAFT
    assert store.answer_for("sleep-tips").slug == "not-understood"


def test_diff_is_word_level_per_field() -> None:
    assert word_diff("Call your care team now.", "Call your nurse now.") == (
        ("equal", "Call your "),
        ("delete", "care team"),
        ("insert", "nurse"),
        ("equal", " now."),
    )
    diffs = diff_fields(
        {"title": "A", "answer": "same", "related": ["x"]},
        {"title": "A", "answer": "same", "related": ["x", "y"]},
    )
    assert [d.field for d in diffs] == ["related"]
    assert diffs[0].pieces == (("equal", "x"), ("insert", ", y"))


def test_measures_give_words_and_grade_like_kb_check() -> None:
    sentence = "Immunotherapeutic pharmacological interventions necessitate comprehensive"
    hard = " ".join([sentence] * 6)
    found = measures({"answer": hard, "details": ""})
    assert found["answer"].words == 30 and found["answer"].too_hard
    assert found["details"].words == 0 and found["details"].grade is None
