"""Article revisions: draft, submit, publish, reject, revert, unpublish, with who and why.

The `article` table stays what the assistant answers from (read on every message);
publishing writes a revision's fields into it, so a change shows on the next answer
without retraining. Every version is an `ArticleRevision`; every operation is audited
in the same transaction. Roles are checked here too, so the rules do not depend on
the web pages (`role=None` means the command line, run by an operator).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.accounts import can
from bot.audit import record
from bot.kb_files import (
    MAX_ANSWER_WORDS,
    MAX_DETAILS_WORDS,
    MAX_GRADE,
    MIN_WORDS_GRADED,
    Problem,
    check_fields,
    check_set,
    reading_grade,
    word_count,
)
from bot.models import DRAFT, PUBLISHED, Article, _now, article_fields
from bot.staff_models import EDITOR, REVIEWER, ArticleRevision
from bot.topics import REQUIRED_SLUGS

# Workflow states of a revision (the article's own `status` is published or draft).
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_PUBLISHED = "published"
STATE_REJECTED = "rejected"
BASELINE_AUTHOR = "starter knowledge base"
BASELINE_REASON = "Content before its first edit in the staff workspace"
MAX_REASON_CHARS = 1000


class RevisionError(ValueError):
    """An operation that cannot be done; the message says why and what to do."""


class NotAllowed(RevisionError):
    """The actor's role does not allow the operation."""


@dataclass(frozen=True)
class TextMeasure:
    """How hard one text field reads: words, their limit, and the reading grade."""

    words: int
    max_words: int
    grade: float | None  # None: too short for a grade to mean anything
    max_grade: float = MAX_GRADE

    @property
    def too_long(self) -> bool:
        """Whether the text has more words than allowed."""
        return self.words > self.max_words

    @property
    def too_hard(self) -> bool:
        """Whether the text reads above the allowed grade."""
        return self.grade is not None and self.grade > self.max_grade


def require(role: str | None, needed: str) -> None:
    """Refuse unless `role` allows `needed` (None: the command line, always allowed).

    Raises:
        NotAllowed: the role is too low.
    """
    if role is not None and not can(role, needed):
        raise NotAllowed(f"This needs the {needed} role; you are {role}.")


# --- fields: as stored in revisions (JSON) and as checked (reviewed_on a date) ---


def to_stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as kept in a revision: JSON-ready, `reviewed_on` as YYYY-MM-DD."""
    stored = {k: v for k, v in fields.items() if k != "details" or v}
    reviewed = stored.get("reviewed_on")
    if isinstance(reviewed, dt.date):
        stored["reviewed_on"] = reviewed.isoformat()
    stored["related"] = list(stored.get("related") or [])
    stored["terms"] = {k: list(v) for k, v in (stored.get("terms") or {}).items()}
    return stored


def to_checked(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as the file checks read them: `reviewed_on` parsed when it is a valid date."""
    checked = dict(fields)
    reviewed = checked.get("reviewed_on")
    if isinstance(reviewed, str):
        try:
            checked["reviewed_on"] = dt.date.fromisoformat(reviewed.strip())
        except ValueError:
            pass  # left as text: check_fields reports it
    return checked


def article_row_fields(article: Article) -> dict[str, Any]:
    """The article's current content, as stored in a revision."""
    return to_stored(article_fields(article))


# --- reading ---


def revisions(session: Session, slug: str) -> list[ArticleRevision]:
    """Every revision of `slug`, oldest first."""
    stmt = select(ArticleRevision).where(ArticleRevision.slug == slug)
    return list(session.scalars(stmt.order_by(ArticleRevision.number)))


def get_revision(session: Session, slug: str, number: int) -> ArticleRevision | None:
    """Revision `number` of `slug`, or None."""
    stmt = select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.number == number
    )
    return session.scalars(stmt).first()


def latest_revision(session: Session, slug: str) -> ArticleRevision | None:
    """The newest revision of `slug` (of any state), or None."""
    stmt = select(ArticleRevision).where(ArticleRevision.slug == slug)
    return session.scalars(stmt.order_by(ArticleRevision.number.desc())).first()


def pending_submissions(session: Session) -> list[ArticleRevision]:
    """Submitted revisions waiting for a reviewer, oldest first (the review queue)."""
    stmt = select(ArticleRevision).where(ArticleRevision.state == STATE_SUBMITTED)
    return list(session.scalars(stmt.order_by(ArticleRevision.created_at)))


def working_fields(session: Session, slug: str) -> dict[str, Any] | None:
    """What the editor opens: the newest draft or submission, else the article itself."""
    latest = latest_revision(session, slug)
    if latest is not None and latest.state in (STATE_DRAFT, STATE_SUBMITTED):
        return dict(latest.fields)
    article = session.scalars(select(Article).where(Article.slug == slug)).first()
    if article is not None:
        return article_row_fields(article)
    return dict(latest.fields) if latest is not None else None


# --- checks ---


def measure(text: str | None, max_words: int) -> TextMeasure:
    """Words and reading grade of one text field, as `kb check` measures them."""
    words = word_count(text or "")
    grade = round(reading_grade(text or ""), 1) if words >= MIN_WORDS_GRADED else None
    return TextMeasure(words, max_words, grade)


def measures(fields: Mapping[str, Any]) -> dict[str, TextMeasure]:
    """The answer's and the details' measures (shown live in the editor)."""
    return {
        "answer": measure(fields.get("answer"), MAX_ANSWER_WORDS),
        "details": measure(fields.get("details"), MAX_DETAILS_WORDS),
    }


def _published_set(session: Session) -> dict[str, dict[str, Any]]:
    stmt = select(Article).where(Article.status == PUBLISHED)
    return {a.slug: to_checked(article_row_fields(a)) for a in session.scalars(stmt)}


def set_problems(
    session: Session,
    changes: Iterable[Mapping[str, Any]],
    known_intents: Iterable[str] | None,
) -> list[Problem]:
    """Problems that `changes` would add to the published set (links, terms, topics).

    Problems the published set already has are not blamed on the change.
    """
    before = _published_set(session)
    after = dict(before)
    for fields in changes:
        checked = to_checked(fields)
        if checked.get("status") == PUBLISHED:
            after[checked["slug"]] = checked
        else:
            after.pop(checked["slug"], None)
    intents = list(known_intents) if known_intents is not None else None
    old = set(check_set(before.values(), intents))
    return [p for p in check_set(after.values(), intents) if p not in old]


def check_article(
    session: Session, fields: Mapping[str, Any], known_intents: Iterable[str] | None
) -> list[Problem]:
    """Every `kb check` problem of one article, on its own and in the published set."""
    slug = str(fields.get("slug") or "")
    problems = check_fields(to_checked(fields), f"{slug or 'new-article'}.yml")
    if not any(p.severity == "error" for p in problems):
        problems += set_problems(session, [fields], known_intents)
    return problems


def _errors(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _refuse_if_errors(problems: Sequence[Problem], what: str) -> None:
    errors = _errors(problems)
    if errors:
        listed = "; ".join(f"{p.field or 'article'}: {p.message}" for p in errors)
        raise RevisionError(f"{what}: fix these first - {listed}")


# --- writing ---


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RevisionError("Say why you made this change (the 'Why' field).")
    if len(reason) > MAX_REASON_CHARS:
        raise RevisionError(f"Keep the reason under {MAX_REASON_CHARS} characters.")
    return reason


def _get_article(session: Session, slug: str) -> Article | None:
    return session.scalars(select(Article).where(Article.slug == slug)).first()


def _next_number(session: Session, slug: str) -> int:
    stmt = select(func.max(ArticleRevision.number)).where(ArticleRevision.slug == slug)
    return (session.scalar(stmt) or 0) + 1


def ensure_baseline(session: Session, slug: str) -> ArticleRevision | None:
    """Record an article loaded from files as revision 1 before its first edit.

    Without it, the first edit could not be diffed against, or reverted to, the
    original text. Returns the baseline, or None when there is nothing to record.
    """
    if latest_revision(session, slug) is not None:
        return None
    article = _get_article(session, slug)
    if article is None:
        return None
    baseline = ArticleRevision(
        slug=slug,
        number=1,
        fields=article_row_fields(article),
        state=STATE_PUBLISHED,
        author=BASELINE_AUTHOR,
        reason=BASELINE_REASON,
        created_at=article.updated_at or _now(),
    )
    session.add(baseline)
    session.flush()
    return baseline


def _normalise(slug: str, fields: Mapping[str, Any], status: str) -> dict[str, Any]:
    stored = to_stored({**fields, "slug": slug})
    stored["status"] = status
    return stored


def add_revision(
    session: Session,
    slug: str,
    fields: Mapping[str, Any],
    state: str,
    author: str | None,
    reason: str,
    based_on: int | None,
) -> ArticleRevision:
    """Add the next revision of `slug` (after its baseline); a published one is decided."""
    ensure_baseline(session, slug)
    revision = ArticleRevision(
        slug=slug,
        number=_next_number(session, slug),
        fields=dict(fields),
        state=state,
        author=author or "command line",
        reason=reason,
        based_on=based_on,
    )
    if state == STATE_PUBLISHED:
        revision.decided_by = author or "command line"
        revision.decided_at = _now()
    session.add(revision)
    session.flush()
    return revision


def apply_fields(session: Session, fields: Mapping[str, Any]) -> Article:
    """Write fields into the article row the assistant answers from (create it if new)."""
    checked = to_checked(fields)
    article = _get_article(session, checked["slug"])
    if article is None:
        article = Article(slug=checked["slug"])
        session.add(article)
    article.title = checked["title"]
    article.group = checked["group"]
    article.answer = checked["answer"]
    article.details = checked.get("details") or None
    article.related = list(checked.get("related") or [])
    article.terms = {k: list(v) for k, v in (checked.get("terms") or {}).items()}
    article.source = checked["source"]
    article.reviewed_on = checked["reviewed_on"]
    article.status = checked["status"]
    session.flush()
    return article


def _check_slug_free(session: Session, slug: str, based_on: int | None) -> None:
    """A new article (no version to start from) must not take an existing slug."""
    if based_on is None and (
        _get_article(session, slug) is not None or latest_revision(session, slug) is not None
    ):
        raise RevisionError(f"An article named {slug!r} already exists: open it to edit it.")


def _edit(
    session: Session,
    slug: str,
    fields: Mapping[str, Any],
    reason: str,
    *,
    state: str,
    action: str,
    actor: str | None,
    based_on: int | None,
    new: bool,
    refusal: str | None = None,
    known_intents: Iterable[str] | None = None,
) -> ArticleRevision:
    """Add an edit as a revision in `state`; with `refusal`, only if `kb check` passes."""
    reason = _reason(reason)
    slug = _slug(slug)
    if new:
        _check_slug_free(session, slug, None)
    stored = _normalise(slug, fields, PUBLISHED)
    if refusal is not None:
        _refuse_if_errors(check_article(session, stored, known_intents), refusal)
    revision = add_revision(session, slug, stored, state, actor, reason, based_on)
    if state == STATE_PUBLISHED:
        apply_fields(session, stored)
    record(session, actor, action, slug, {"revision": revision.number})
    return revision


def save_draft(
    session: Session,
    slug: str,
    fields: Mapping[str, Any],
    reason: str,
    *,
    actor: str | None,
    role: str | None,
    based_on: int | None = None,
    new: bool = False,
) -> ArticleRevision:
    """Save a draft; it may still have problems (it is not shown to patients).

    Args:
        session: the transaction of the change.
        slug: the article's slug (a new one for a new article).
        fields: the article's fields as edited.
        reason: why the change is made (required).
        actor: who (None: the command line).
        role: the actor's role (editor or higher).
        based_on: the revision number the editor opened.
        new: the editor creates a new article (its slug must be free).
    """
    require(role, EDITOR)
    return _edit(
        session,
        slug,
        fields,
        reason,
        state=STATE_DRAFT,
        action="article.draft",
        actor=actor,
        based_on=based_on,
        new=new,
    )


def submit(
    session: Session,
    slug: str,
    fields: Mapping[str, Any],
    reason: str,
    known_intents: Iterable[str] | None,
    *,
    actor: str | None,
    role: str | None,
    based_on: int | None = None,
    new: bool = False,
) -> ArticleRevision:
    """Submit an edit for review; refused while `kb check` finds errors in it."""
    require(role, EDITOR)
    return _edit(
        session,
        slug,
        fields,
        reason,
        state=STATE_SUBMITTED,
        action="article.submit",
        actor=actor,
        based_on=based_on,
        new=new,
        refusal="Not submitted",
        known_intents=known_intents,
    )


def publish(
    session: Session,
    slug: str,
    fields: Mapping[str, Any],
    reason: str,
    known_intents: Iterable[str] | None,
    *,
    actor: str | None,
    role: str | None,
    based_on: int | None = None,
    new: bool = False,
) -> ArticleRevision:
    """Publish an edit now (reviewer): checked, then written to the live article."""
    require(role, REVIEWER)
    return _edit(
        session,
        slug,
        fields,
        reason,
        state=STATE_PUBLISHED,
        action="article.publish",
        actor=actor,
        based_on=based_on,
        new=new,
        refusal="Not published",
        known_intents=known_intents,
    )


def approve(
    session: Session,
    slug: str,
    number: int,
    known_intents: Iterable[str] | None,
    *,
    actor: str | None,
    role: str | None,
) -> ArticleRevision:
    """Publish a submitted revision as it is (a reviewer's "Publish" in the review queue)."""
    require(role, REVIEWER)
    revision = _pending(session, slug, number)
    _refuse_if_errors(check_article(session, revision.fields, known_intents), "Not published")
    revision.state = STATE_PUBLISHED
    revision.decided_by = actor or "command line"
    revision.decided_at = _now()
    apply_fields(session, revision.fields)
    record(session, actor, "article.publish", slug, {"revision": number})
    return revision


def reject(
    session: Session,
    slug: str,
    number: int,
    reason: str,
    *,
    actor: str | None,
    role: str | None,
) -> ArticleRevision:
    """Send a submitted revision back to its author, saying why."""
    require(role, REVIEWER)
    why = _reason(reason)
    revision = _pending(session, slug, number)
    revision.state = STATE_REJECTED
    revision.decided_by = actor or "command line"
    revision.decided_at = _now()
    # The author's reason stays; the reviewer's is added after it (no column of its own).
    revision.reason = f"{revision.reason}\nSent back by {revision.decided_by}: {why}"
    record(session, actor, "article.reject", slug, {"revision": number, "reason": why})
    return revision


def revert(
    session: Session,
    slug: str,
    number: int,
    known_intents: Iterable[str] | None,
    *,
    actor: str | None,
    role: str | None,
) -> ArticleRevision:
    """Publish the content of an earlier revision again, as a new revision."""
    require(role, REVIEWER)
    ensure_baseline(session, slug)
    old = get_revision(session, slug, number)
    if old is None:
        raise RevisionError(f"{slug} has no version {number}.")
    _refuse_if_errors(check_article(session, old.fields, known_intents), "Not reverted")
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
    record(session, actor, "article.revert", slug, {"revision": revision.number, "to": number})
    return revision


def linking_articles(session: Session, slug: str) -> list[str]:
    """Slugs of the other published articles whose `related` list `slug`."""
    stmt = select(Article).where(Article.status == PUBLISHED, Article.slug != slug)
    return sorted(a.slug for a in session.scalars(stmt) if slug in (a.related or []))


def unpublish(
    session: Session, slug: str, reason: str, *, actor: str | None, role: str | None
) -> ArticleRevision:
    """Hide a published article from patients (kept as a draft).

    Raises:
        RevisionError: the slug is a required topic, or other published articles
            link to it (their buttons would lead nowhere).
    """
    require(role, REVIEWER)
    reason = _reason(reason)
    article = _get_article(session, slug)
    if article is None or article.status != PUBLISHED:
        raise RevisionError(f"{slug} is not published.")
    if slug in REQUIRED_SLUGS:
        raise RevisionError(
            f"{slug} is a required topic (the assistant must always be able to answer it); "
            "edit it instead of unpublishing it."
        )
    linked = linking_articles(session, slug)
    if linked:
        raise RevisionError(
            f"{slug} cannot be unpublished: these published articles link to it: "
            f"{', '.join(linked)}. Remove it from their 'related' list first."
        )
    fields = {**article_row_fields(article), "status": DRAFT}
    revision = add_revision(session, slug, fields, STATE_PUBLISHED, actor, reason, None)
    apply_fields(session, fields)
    record(session, actor, "article.unpublish", slug, {"revision": revision.number})
    return revision


def _pending(session: Session, slug: str, number: int) -> ArticleRevision:
    revision = get_revision(session, slug, number)
    if revision is None or revision.state != STATE_SUBMITTED:
        raise RevisionError(f"Version {number} of {slug} is not waiting for review.")
    return revision


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not _SLUG.match(slug) or len(slug) > 80:
        raise RevisionError("The slug must be lowercase words joined by dashes, e.g. car-t-cells.")
    return slug


__all__ = [
    "NotAllowed",
    "RevisionError",
    "TextMeasure",
    "approve",
    "check_article",
    "ensure_baseline",
    "latest_revision",
    "linking_articles",
    "pending_submissions",
    "publish",
    "reject",
    "revert",
    "revisions",
    "save_draft",
    "submit",
    "unpublish",
    "working_fields",
]
