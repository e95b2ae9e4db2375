"""Honest dates and clinical sign-off: what patients are told is what happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import NotAllowed
from bot.kb.store import ArticleStore, awaiting_sign_off, get_article
from bot.kb.topics import domain_intents
from bot.settings import PROJECT_ROOT
from bot.staff.article_list import article_rows
from bot.staff.kb_exchange import apply_import
from bot.staff.revision_checks import RevisionError
from bot.staff.revisions import approve, edit, revert, revisions, working_fields
from bot.staff.roles import Actor
from bot.staff.sign_off import sign_off
from bot.staff.tables import AuditEvent

INTENTS = domain_intents(PROJECT_ROOT / "domain.yml")
SLUG = "car-t-cells"
REVIEWER = Actor("rita", "reviewer")
TODAY = dt.date.today()


def publish(factory: sessionmaker[Session], **changes: Any) -> None:
    with factory.begin() as session:
        fields = {**working_fields(session, SLUG), **changes}
        edit(session, "publish", SLUG, fields, "Edit", INTENTS, actor=REVIEWER)


def set_dates(factory: sessionmaker[Session], updated_on: dt.date) -> None:
    with factory.begin() as session:
        get_article(session, SLUG).updated_on = updated_on


def test_starter_articles_ship_unsigned_and_all_await_sign_off(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        waiting = {a.slug for a in awaiting_sign_off(session) if a.language == "en"}
        rows = article_rows(session)
    assert SLUG in waiting and len(waiting) > 40
    assert all(r.awaits_sign_off for r in rows if r.published)
    assert "Clinically reviewed" not in store.answer_for(SLUG).full_text


def test_a_reviewer_signs_off_the_published_text_audited_and_patients_see_the_date(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        sign_off(session, SLUG, "  Haematologist ", actor=REVIEWER)
    with session_factory() as session:
        article = get_article(session, SLUG)
        assert (article.signed_off_by, article.signed_off_role, article.signed_off_on) == (
            "rita",
            "Haematologist",
            TODAY,
        )
        assert SLUG not in {a.slug for a in awaiting_sign_off(session) if a.language == "en"}
        event = session.scalars(select(AuditEvent)).one()
    assert (event.actor, event.action, event.target) == ("rita", "article.sign_off", SLUG)
    assert event.detail["role"] == "Haematologist" and event.detail["on"] == TODAY.isoformat()
    answer = store.answer_for(SLUG)
    assert answer.clinically_reviewed_on == TODAY
    assert f"Clinically reviewed on {TODAY.day} {TODAY:%B %Y}." in answer.full_text


def test_an_editor_cannot_sign_off_and_only_published_text_with_a_role_can_be(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session, pytest.raises(NotAllowed):
        sign_off(session, SLUG, "Nurse", actor=Actor("eddie", "editor"))
    with session_factory.begin() as session, pytest.raises(RevisionError, match="role"):
        sign_off(session, SLUG, "  ", actor=REVIEWER)
    with session_factory.begin() as session, pytest.raises(RevisionError, match="not published"):
        sign_off(session, "no-such-article", "Nurse", actor=REVIEWER)
    with session_factory.begin() as session, pytest.raises(RevisionError, match="who"):
        sign_off(session, SLUG, "Nurse", actor=Actor.operator())
    with session_factory() as session:
        assert get_article(session, SLUG).signed_off_on is None
        assert session.scalars(select(AuditEvent)).all() == []


def test_publishing_changed_text_dates_it_today_and_clears_the_sign_off(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    set_dates(session_factory, dt.date(2026, 1, 2))
    with session_factory.begin() as session:
        sign_off(session, SLUG, "Haematologist", actor=REVIEWER)
    publish(session_factory, related=["side-effects-car-t"])  # not the text: both are kept
    with session_factory() as session:
        article = get_article(session, SLUG)
        assert article.updated_on == dt.date(2026, 1, 2) and article.signed_off_on == TODAY
    publish(session_factory, answer="CAR-T cells are your own immune cells, changed in a lab.")
    with session_factory() as session:
        article = get_article(session, SLUG)
        assert article.updated_on == TODAY
        assert (article.signed_off_by, article.signed_off_role, article.signed_off_on) == (
            None,
            None,
            None,
        )
        assert revisions(session, SLUG)[-1].fields["updated_on"] == TODAY.isoformat()
    answer = store.answer_for(SLUG)
    assert answer.updated_on == TODAY and answer.clinically_reviewed_on is None


def test_a_changed_source_is_a_changed_text_and_a_revert_is_too(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    set_dates(session_factory, dt.date(2026, 1, 2))
    new_sources = [{"name": "Cancer Research UK", "url": "https://www.cancerresearchuk.org/"}]
    publish(session_factory, sources=new_sources)
    with session_factory.begin() as session:
        sign_off(session, SLUG, "Haematologist", actor=REVIEWER)
        revert(session, SLUG, 1, INTENTS, actor=REVIEWER)
    with session_factory() as session:
        article = get_article(session, SLUG)
        assert article.sources != new_sources and article.signed_off_on is None
        assert article.updated_on == TODAY


def test_a_submission_approved_later_is_dated_the_day_it_is_published(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        fields = {**working_fields(session, SLUG), "answer": "CAR-T uses your own cells."}
        fields["updated_on"] = "2020-01-01"  # whatever the form says, the date is not typed
        revision = edit(
            session, "submit", SLUG, fields, "Shorter", INTENTS, actor=Actor("eddie", "editor")
        )
        assert revision.fields["updated_on"] == TODAY.isoformat()
        approve(session, SLUG, revision.number, INTENTS, actor=REVIEWER)
    with session_factory() as session:
        assert get_article(session, SLUG).updated_on == TODAY


def test_an_import_of_changed_text_clears_the_sign_off_and_files_never_carry_it(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    from bot.kb.store import article_files

    with session_factory.begin() as session:
        sign_off(session, SLUG, "Haematologist", actor=REVIEWER)
        files = dict(article_files(session))
    assert "signed_off" not in files[f"{SLUG}.yml"] and "rita" not in files[f"{SLUG}.yml"]
    assert "sources:\n- name:" in files[f"{SLUG}.yml"]
    changed = files[f"{SLUG}.yml"].replace("CAR-T cell therapy uses", "CAR-T therapy uses")
    with session_factory.begin() as session:
        plan = apply_import(session, {f"{SLUG}.yml": changed.encode()}, INTENTS, actor=REVIEWER)
        assert [f["slug"] for f, _ in plan.changed] == [SLUG]
    with session_factory() as session:
        assert get_article(session, SLUG).signed_off_on is None
