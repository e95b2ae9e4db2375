"""Article revisions: draft, submit, publish, reject, revert, unpublish, with who and why.

The `article` table stays what the assistant answers from (read on every message);
publishing writes a revision's fields into it, so a change shows on the next answer
without retraining. Every version is an `ArticleRevision`; every operation is audited
in the same transaction. Roles are checked here, through the `Actor`, so the rules do
not depend on the web pages.

Each language version of a topic (one `article` row each) has its own revisions, text,
date, status and sign-off: an operation on one version never touches another's text.
Revision numbers are shared by a slug's versions, so a number names one revision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.db import utcnow
from bot.kb.files import LANGUAGE_NAMES, SHARED_FIELDS, language_of
from bot.kb.store import get_article
from bot.kb.tables import DRAFT, PUBLISHED, Article, clear_sign_off, text_of
from bot.kb.topics import REQUIRED_SLUGS
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.audit import record
from bot.staff.revision_checks import (
    STATE_DRAFT,
    STATE_PUBLISHED,
    STATE_REJECTED,
    STATE_SUBMITTED,
    RevisionError,
    article_row_fields,
    check_article,
    complete,
    refuse_if_errors,
    shared_fields,
    to_checked,
    to_stored,
)
from bot.staff.roles import EDITOR, REVIEWER, Actor
from bot.staff.tables import ArticleRevision
from bot.text import is_slug

BASELINE_AUTHOR = "starter knowledge base"
BASELINE_REASON = "Content before its first edit in the staff workspace"
OPERATOR_NAME = "command line"  # how the operator's versions are signed
MAX_REASON_CHARS = 1000

# What each button of the editor does: the role it needs, the state of the new version,
# the audit action, and the refusal when `kb check` finds errors (None: a draft may have
# errors, it is not shown to patients).
EDITS: dict[str, tuple[str, str, str, str | None]] = {
    "draft": (EDITOR, STATE_DRAFT, "article.draft", None),
    "submit": (EDITOR, STATE_SUBMITTED, "article.submit", "Not submitted"),
    "publish": (REVIEWER, STATE_PUBLISHED, "article.publish", "Not published"),
}


# --- reading ---


def _of_version(slug: str, language: str) -> Select:
    return select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.language == language
    )


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise RevisionError(f"There is no {language!r} version: choose {', '.join(LANGUAGES)}.")
    return language


def revisions(
    session: Session, slug: str, *, language: str = DEFAULT_LANGUAGE
) -> list[ArticleRevision]:
    """Every revision of the `language` version of `slug`, oldest first."""
    return list(session.scalars(_of_version(slug, language).order_by(ArticleRevision.number)))


def get_revision(session: Session, slug: str, number: int) -> ArticleRevision | None:
    """Revision `number` of `slug`, or None."""
    stmt = select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.number == number
    )
    return session.scalars(stmt).first()


def latest_revision(
    session: Session, slug: str, *, language: str = DEFAULT_LANGUAGE
) -> ArticleRevision | None:
    """The newest revision of the `language` version of `slug` (of any state), or None."""
    stmt = _of_version(slug, language)
    return session.scalars(stmt.order_by(ArticleRevision.number.desc())).first()


def pending_submissions(session: Session) -> list[ArticleRevision]:
    """Submitted revisions waiting for a reviewer, oldest first (the review queue)."""
    stmt = select(ArticleRevision).where(ArticleRevision.state == STATE_SUBMITTED)
    return list(session.scalars(stmt.order_by(ArticleRevision.created_at)))


def working_fields(
    session: Session, slug: str, *, language: str = DEFAULT_LANGUAGE
) -> dict[str, Any] | None:
    """What the editor opens for a version: its newest draft or submission, else the row.

    None when the version was never written.
    """
    latest = latest_revision(session, slug, language=language)
    if latest is not None and latest.state in (STATE_DRAFT, STATE_SUBMITTED):
        return dict(latest.fields)
    article = get_article(session, slug, language=language, published_only=False)
    if article is not None:
        return article_row_fields(article)
    return dict(latest.fields) if latest is not None else None


def linking_articles(session: Session, slug: str) -> list[str]:
    """Slugs of the other published articles whose `related` list `slug`."""
    stmt = select(Article).where(
        Article.status == PUBLISHED,
        Article.slug != slug,
        Article.language == DEFAULT_LANGUAGE,  # every version shares the English links
    )
    return sorted(a.slug for a in session.scalars(stmt) if slug in (a.related or []))


# --- writing ---


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RevisionError("Say why you made this change (the 'Why' field).")
    if len(reason) > MAX_REASON_CHARS:
        raise RevisionError(f"Keep the reason under {MAX_REASON_CHARS} characters.")
    return reason


def _slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not is_slug(slug):
        raise RevisionError("The slug must be lowercase words joined by dashes, e.g. car-t-cells.")
    return slug


def _signature(actor: Actor) -> str:
    return actor.name or OPERATOR_NAME


def _next_number(session: Session, slug: str) -> int:
    stmt = select(func.max(ArticleRevision.number)).where(ArticleRevision.slug == slug)
    return (session.scalar(stmt) or 0) + 1


def ensure_baseline(
    session: Session, slug: str, *, language: str = DEFAULT_LANGUAGE
) -> ArticleRevision | None:
    """Record a version loaded from files as its first revision before its first edit.

    Without it, the first edit could not be diffed against, or reverted to, the
    original text. Returns the baseline, or None when there is nothing to record.
    """
    if latest_revision(session, slug, language=language) is not None:
        return None
    article = get_article(session, slug, language=language, published_only=False)
    if article is None:
        return None
    baseline = ArticleRevision(
        slug=slug,
        language=language,
        number=_next_number(session, slug),
        fields=article_row_fields(article),
        state=STATE_PUBLISHED,
        author=BASELINE_AUTHOR,
        reason=BASELINE_REASON,
        created_at=article.updated_at or utcnow(),
    )
    session.add(baseline)
    session.flush()
    return baseline


def dated(session: Session, fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with an honest `updated_on`, the day patients' text last changed.

    Today if the text differs from what patients see now, else the live version's date;
    a new version keeps the date it came with (a file's), or gets today. Each language
    version has its own date.
    """
    dated_fields = dict(fields)
    slug, language = str(fields.get("slug") or ""), language_of(fields)
    article = get_article(session, slug, language=language, published_only=False)
    if article is None:
        dated_fields.setdefault("updated_on", dt.date.today().isoformat())
    elif text_of(fields) == text_of(article_row_fields(article)):
        dated_fields["updated_on"] = article.updated_on.isoformat()
    else:
        dated_fields["updated_on"] = dt.date.today().isoformat()
    if not dated_fields.get("updated_on"):
        dated_fields["updated_on"] = dt.date.today().isoformat()
    return dated_fields


def add_revision(
    session: Session,
    slug: str,
    fields: Mapping[str, Any],
    state: str,
    actor: Actor,
    reason: str,
    based_on: int | None,
) -> ArticleRevision:
    """Add the next revision of `slug` (after its baseline); a published one is decided.

    The version is the fields' `language` (English when they name none).
    """
    language = language_of(fields)
    ensure_baseline(session, slug, language=language)
    revision = ArticleRevision(
        slug=slug,
        language=language,
        number=_next_number(session, slug),
        fields=dated(session, {**fields, "slug": slug}),
        state=state,
        author=_signature(actor),
        reason=reason,
        based_on=based_on,
    )
    if state == STATE_PUBLISHED:
        revision.decided_by = _signature(actor)
        revision.decided_at = utcnow()
    session.add(revision)
    session.flush()
    return revision


def apply_fields(session: Session, fields: Mapping[str, Any]) -> Article:
    """Write a version's fields into its article row (create it if new).

    A change of the text clears that version's clinical sign-off (the reviewer vouched
    for the old one); the other versions keep theirs. Fields with a `language` write
    that version (English by default); the English version's group and links are
    copied to every other version, which share them.
    """
    language = language_of(fields)
    checked = to_checked(complete(session, fields))
    article = get_article(session, checked["slug"], language=language, published_only=False)
    if article is None:
        article = Article(slug=checked["slug"], language=language)
        session.add(article)
    elif text_of(fields) != text_of(article_row_fields(article)):
        clear_sign_off(article)
    article.title = checked["title"]
    article.group = checked["group"]
    article.answer = checked["answer"]
    article.details = checked.get("details") or None
    article.related = list(checked.get("related") or [])
    article.terms = {k: list(v) for k, v in (checked.get("terms") or {}).items()}
    article.sources = [dict(s) for s in checked.get("sources") or []]
    article.updated_on = checked["updated_on"]
    article.status = checked["status"]
    if language == DEFAULT_LANGUAGE:
        others = select(Article).where(
            Article.slug == article.slug, Article.language != DEFAULT_LANGUAGE
        )
        for other in session.scalars(others):
            other.group, other.related = article.group, list(article.related)
    session.flush()
    return article


def edit(
    session: Session,
    kind: str,
    slug: str,
    fields: Mapping[str, Any],
    reason: str,
    known_intents: Iterable[str] | None,
    *,
    actor: Actor,
    based_on: int | None = None,
    new: bool = False,
    language: str = DEFAULT_LANGUAGE,
) -> ArticleRevision:
    """Save an edit as a draft, submit it for review, or publish it now (`kind`, see EDITS).

    A draft may still have problems (patients do not see it); a submission or a
    publication is refused while `kb check` finds errors in it. Only the `language`
    version changes; a translation takes its group and links from the English version,
    which must exist first.

    Args:
        session: the transaction of the change.
        kind: "draft", "submit" or "publish".
        slug: the article's slug (a new one for a new article).
        fields: the article's fields as edited.
        reason: why the change is made (required).
        known_intents: the Rasa domain's intents (a related topic needs one).
        actor: who; drafting and submitting need an editor, publishing a reviewer.
        based_on: the revision number the editor opened.
        new: the editor creates a new article (its slug must be free).
        language: the version edited ("en", "fr").

    Raises:
        NotAllowed: the actor's role is too low.
        RevisionError: no reason, a bad or taken slug, a translation without an English
            version, or errors in the article.
    """
    if kind not in EDITS:
        raise RevisionError(f"Unknown edit {kind!r}: choose one of {', '.join(EDITS)}.")
    needed, state, action, refusal = EDITS[kind]
    actor.require(needed)
    reason = _reason(reason)
    slug = _slug(slug)
    language = _language(language)
    if new and (
        session.scalars(select(Article.id).where(Article.slug == slug)).first()
        or session.scalars(select(ArticleRevision.id).where(ArticleRevision.slug == slug)).first()
    ):
        raise RevisionError(f"An article named {slug!r} already exists: open it to edit it.")
    if language != DEFAULT_LANGUAGE and shared_fields(session, slug) is None:
        raise RevisionError(
            f"Write the English version of {slug} first: the "
            f"{LANGUAGE_NAMES.get(language, language)} version shares its "
            f"{' and '.join(SHARED_FIELDS)}."
        )
    stored = dated(session, to_stored({**fields, "slug": slug, "language": language}))
    stored["status"] = PUBLISHED
    if refusal is not None:
        refuse_if_errors(check_article(session, stored, known_intents), refusal)
    revision = add_revision(session, slug, stored, state, actor, reason, based_on)
    if state == STATE_PUBLISHED:
        apply_fields(session, revision.fields)
    record(session, actor.name, action, slug, _detail(revision))
    return revision


def _detail(revision: ArticleRevision, **more: Any) -> dict[str, Any]:
    """An audit event's detail: the revision, and its language when not the default."""
    detail: dict[str, Any] = {"revision": revision.number, **more}
    if revision.language != DEFAULT_LANGUAGE:
        detail["language"] = revision.language
    return detail


def _pending(session: Session, slug: str, number: int) -> ArticleRevision:
    revision = get_revision(session, slug, number)
    if revision is None or revision.state != STATE_SUBMITTED:
        raise RevisionError(f"Version {number} of {slug} is not waiting for review.")
    return revision


def approve(
    session: Session, slug: str, number: int, known_intents: Iterable[str] | None, *, actor: Actor
) -> ArticleRevision:
    """Publish a submitted revision as it is (a reviewer's "Publish" in the review queue)."""
    actor.require(REVIEWER)
    revision = _pending(session, slug, number)
    refuse_if_errors(check_article(session, revision.fields, known_intents), "Not published")
    revision.fields = dated(session, revision.fields)  # published today, not when submitted
    revision.state = STATE_PUBLISHED
    revision.decided_by = _signature(actor)
    revision.decided_at = utcnow()
    apply_fields(session, revision.fields)
    record(session, actor.name, "article.publish", slug, _detail(revision))
    return revision


def reject(
    session: Session, slug: str, number: int, reason: str, *, actor: Actor
) -> ArticleRevision:
    """Send a submitted revision back to its author, saying why."""
    actor.require(REVIEWER)
    why = _reason(reason)
    revision = _pending(session, slug, number)
    revision.state = STATE_REJECTED
    revision.decided_by = _signature(actor)
    revision.decided_at = utcnow()
    # The author's reason stays; the reviewer's is added after it (no column of its own).
    revision.reason = f"{revision.reason}\nSent back by {revision.decided_by}: {why}"
    record(session, actor.name, "article.reject", slug, _detail(revision, reason=why))
    return revision


def revert(
    session: Session, slug: str, number: int, known_intents: Iterable[str] | None, *, actor: Actor
) -> ArticleRevision:
    """Publish the content of an earlier revision again, as a new revision.

    Only a version that was published can be: a draft or a sent-back submission never
    went through review, and reverting must not be a way round it. The revision's own
    language version is the one reverted.
    """
    actor.require(REVIEWER)
    old = get_revision(session, slug, number)
    if old is None:
        raise RevisionError(f"{slug} has no version {number}.")
    ensure_baseline(session, slug, language=old.language)
    if old.state != STATE_PUBLISHED:
        raise RevisionError(
            f"Version {number} of {slug} was never published ({old.state}), so it cannot be "
            "reverted to. Open it in the editor and submit it for review instead."
        )
    refuse_if_errors(check_article(session, old.fields, known_intents), "Not reverted")
    revision = add_revision(
        session,
        slug,
        dict(old.fields),
        STATE_PUBLISHED,
        actor,
        f"Reverted to version {number}",
        number,
    )
    apply_fields(session, revision.fields)
    record(session, actor.name, "article.revert", slug, _detail(revision, to=number))
    return revision


def unpublish(
    session: Session, slug: str, reason: str, *, actor: Actor, language: str = DEFAULT_LANGUAGE
) -> ArticleRevision:
    """Hide a published article version from patients (kept as a draft).

    Unpublishing the English version takes the topic away in every language (a
    translation is never published alone); unpublishing another version leaves its
    readers the English one.

    Returns:
        The revision of the `language` version.

    Raises:
        RevisionError: the slug is a required topic, or other published articles
            link to it (their buttons would lead nowhere).
    """
    actor.require(REVIEWER)
    reason = _reason(reason)
    article = get_article(session, slug, language=_language(language))
    if article is None:
        raise RevisionError(f"{slug} is not published.")
    if slug in REQUIRED_SLUGS:
        raise RevisionError(
            f"{slug} is a required topic (the assistant must always be able to answer it); "
            "edit it instead of unpublishing it."
        )
    linked = linking_articles(session, slug) if language == DEFAULT_LANGUAGE else []
    if linked:
        raise RevisionError(
            f"{slug} cannot be unpublished: these published articles link to it: "
            f"{', '.join(linked)}. Remove it from their 'related' list first."
        )
    versions = [article]
    if language == DEFAULT_LANGUAGE:
        others = select(Article).where(
            Article.slug == slug, Article.language != language, Article.status == PUBLISHED
        )
        versions += list(session.scalars(others))
    revision = None
    for version in reversed(versions):  # the asked-for version last: its revision is returned
        fields = {**article_row_fields(version), "status": DRAFT}
        revision = add_revision(session, slug, fields, STATE_PUBLISHED, actor, reason, None)
        apply_fields(session, revision.fields)
        record(session, actor.name, "article.unpublish", slug, _detail(revision))
    assert revision is not None  # `versions` holds `article`
    return revision
