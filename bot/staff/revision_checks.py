"""An article revision's fields, how they are checked, and how the staff list and history read.

Fields are kept in two shapes: as stored in a revision (JSON-ready, `updated_on` as
YYYY-MM-DD) and as the `kb check` rules read them (`updated_on` a date). A change is
checked on its own and against the whole published set, so a broken link or a term
claimed twice is found before patients meet it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.kb.files import Problem, check_fields, check_set
from bot.kb.tables import PUBLISHED, Article, article_fields
from bot.language import DEFAULT_LANGUAGE
from bot.staff.article_diff import FieldDiff, diff_fields
from bot.staff.tables import ArticleRevision

# Workflow states of a revision (the article's own `status` is published or draft).
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_PUBLISHED = "published"
STATE_REJECTED = "rejected"
# An article whose text has not changed for a year is flagged in the staff list.
STALE_AFTER = dt.timedelta(days=365)


class RevisionError(Refused):
    """A revision that cannot be made; the message says why and what to do."""


def to_stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as kept in a revision: JSON-ready, `updated_on` as YYYY-MM-DD."""
    stored = {k: v for k, v in fields.items() if k != "details" or v}
    updated = stored.get("updated_on")
    if isinstance(updated, dt.date):
        stored["updated_on"] = updated.isoformat()
    if isinstance(stored.get("sources"), list):
        stored["sources"] = [
            {k: v for k, v in s.items() if v not in (None, "")} if isinstance(s, dict) else s
            for s in stored["sources"]
        ]
    stored["related"] = list(stored.get("related") or [])
    stored["terms"] = {k: list(v) for k, v in (stored.get("terms") or {}).items()}
    return stored


def to_checked(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as the file checks read them: `updated_on` parsed when it is a valid date."""
    checked = dict(fields)
    updated = checked.get("updated_on")
    if isinstance(updated, str):
        try:
            checked["updated_on"] = dt.date.fromisoformat(updated.strip())
        except ValueError:
            pass  # left as text: check_fields reports it
    return checked


def article_row_fields(article: Article) -> dict[str, Any]:
    """The article's current content, as stored in a revision."""
    return to_stored(article_fields(article))


def _published_set(session: Session) -> dict[str, dict[str, Any]]:
    # The English versions: links and terms are checked per language, and the editor
    # (English until the workspace edits translations) writes English versions.
    stmt = select(Article).where(Article.status == PUBLISHED, Article.language == DEFAULT_LANGUAGE)
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


def refuse_if_errors(problems: Sequence[Problem], what: str) -> None:
    """Refuse the operation `what` names while any problem is an error.

    Raises:
        RevisionError: listing every error, field by field.
    """
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        listed = "; ".join(f"{p.field or 'article'}: {p.message}" for p in errors)
        raise RevisionError(f"{what}: fix these first - {listed}")


# --- how the staff list and the history read ---


@dataclass(frozen=True)
class ArticleRow:
    """One line of the staff's article list."""

    slug: str
    title: str
    group: str
    text: str  # answer and details, for the search box
    status: str  # published, unpublished, or new, not published
    published: bool
    waiting: bool  # a submission waits for a reviewer
    draft: bool  # the newest version is a draft
    updated_on: dt.date | None  # when the published text last changed
    stale: bool
    signed_off_by: str | None = None
    signed_off_role: str | None = None
    signed_off_on: dt.date | None = None

    @property
    def awaits_sign_off(self) -> bool:
        """Published, and no reviewer has signed off its current text."""
        return self.published and self.signed_off_on is None

    def matches(self, query: Mapping[str, str]) -> bool:
        """Whether the row passes the list's search words and filters."""
        words = query.get("q", "").strip().lower()
        haystack = f"{self.title} {self.slug} {self.text}".lower()
        if words and not all(w in haystack for w in words.split()):
            return False
        if query.get("group") and self.group != query["group"]:
            return False
        status = query.get("status", "")
        if status == "published" and not self.published:
            return False
        if status == "draft" and not (self.draft or not self.published):
            return False
        if status == "review" and not self.waiting:
            return False
        if query.get("signoff") and not self.awaits_sign_off:
            return False
        return not (query.get("old") and not self.stale)


def _row(article: Article | None, latest: ArticleRevision | None, slug: str) -> ArticleRow:
    fields = dict(latest.fields) if article is None and latest else {}
    updated = article.updated_on if article else None
    if article is None:
        status = "new, not published"
    else:
        status = "published" if article.status == PUBLISHED else "unpublished"
    texts = (
        (article.answer, article.details)
        if article
        else (fields.get("answer"), fields.get("details"))
    )
    return ArticleRow(
        slug=slug,
        title=article.title if article else fields.get("title", slug),
        group=article.group if article else fields.get("group", ""),
        text=" ".join(str(x or "") for x in texts),
        status=status,
        published=article is not None and article.status == PUBLISHED,
        waiting=latest is not None and latest.state == STATE_SUBMITTED,
        draft=latest is not None and latest.state == STATE_DRAFT,
        updated_on=updated,
        stale=updated is not None and dt.date.today() - updated > STALE_AFTER,
        signed_off_by=article.signed_off_by if article else None,
        signed_off_role=article.signed_off_role if article else None,
        signed_off_on=article.signed_off_on if article else None,
    )


def article_rows(session: Session) -> list[ArticleRow]:
    """Every article, published or not, with its review state, by group then title."""
    english = select(Article).where(Article.language == DEFAULT_LANGUAGE)
    articles = {a.slug: a for a in session.scalars(english)}
    latest: dict[str, ArticleRevision] = {}
    for revision in session.scalars(select(ArticleRevision).order_by(ArticleRevision.number)):
        latest[revision.slug] = revision
    rows = [_row(articles.get(s), latest.get(s), s) for s in sorted(set(articles) | set(latest))]
    return sorted(rows, key=lambda r: (r.group, r.title.lower()))


@dataclass(frozen=True)
class HistoryEntry:
    """One version in an article's history, with the version it is compared with."""

    revision: ArticleRevision
    against: int | None
    diffs: list[FieldDiff]


def history_entries(history: Sequence[ArticleRevision]) -> list[HistoryEntry]:
    """The history newest first, each version diffed against the one it should be read with.

    A reviewer judges a submission against what patients see now (the last published
    version), not against another pending draft; every other version is diffed against
    the one before it.
    """
    entries = []
    previous: ArticleRevision | None = None
    live: ArticleRevision | None = None
    for revision in history:
        against = live if revision.state == STATE_SUBMITTED else previous
        diffs = diff_fields(against.fields, revision.fields) if against else []
        entries.append(HistoryEntry(revision, against.number if against else None, diffs))
        previous = revision
        if revision.state == STATE_PUBLISHED:
            live = revision
    return list(reversed(entries))
