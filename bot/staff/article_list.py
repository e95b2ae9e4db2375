"""How the staff read articles: the list, and the history of one language version.

The list has a row per topic with each language version's state; a history is one
version's revisions, each with the diff it should be read with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.tables import PUBLISHED, Article
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.staff.article_diff import FieldDiff, diff_fields
from bot.staff.revision_checks import STATE_DRAFT, STATE_PUBLISHED, STATE_SUBMITTED
from bot.staff.tables import ArticleRevision

# An article whose text has not changed for a year is flagged in the staff list.
STALE_AFTER = dt.timedelta(days=365)


@dataclass(frozen=True)
class VersionRow:
    """One language version of an article in the staff's list."""

    language: str
    exists: bool  # False: nobody has written this version yet
    title: str
    status: str  # published, unpublished, new, not published, or not written
    published: bool
    waiting: bool  # a submission of this version waits for a reviewer
    draft: bool  # this version's newest revision is a draft
    updated_on: dt.date | None  # when this version's published text last changed
    signed_off_by: str | None = None
    signed_off_role: str | None = None
    signed_off_on: dt.date | None = None

    @property
    def awaits_sign_off(self) -> bool:
        """Published, and no reviewer has signed off this version's current text."""
        return self.published and self.signed_off_on is None


@dataclass(frozen=True)
class ArticleRow:
    """One line of the staff's article list: a topic, with each language version.

    The top-level fields are the English version's (the one every other version shares
    its group and links with); `versions` has one entry per language, English first.
    """

    slug: str
    title: str
    group: str
    text: str  # every version's answer and details (and translated titles), for search
    status: str  # the English version's: published, unpublished, or new, not published
    published: bool
    waiting: bool  # a submission of any version waits for a reviewer
    draft: bool  # the newest English revision is a draft
    updated_on: dt.date | None  # when the English published text last changed
    stale: bool  # a published version's text has not changed for a year
    signed_off_by: str | None = None
    signed_off_role: str | None = None
    signed_off_on: dt.date | None = None
    versions: tuple[VersionRow, ...] = ()

    @property
    def awaits_sign_off(self) -> bool:
        """Some published version's current text has no clinical sign-off."""
        if not self.versions:
            return self.published and self.signed_off_on is None
        return any(v.awaits_sign_off for v in self.versions)

    def version(self, language: str) -> VersionRow | None:
        """This topic's `language` version, or None."""
        return next((v for v in self.versions if v.language == language), None)

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


def _version(language: str, article: Article | None, latest: ArticleRevision | None) -> VersionRow:
    fields = dict(latest.fields) if article is None and latest else {}
    if article is None:
        status = "new, not published" if latest else "not written"
    else:
        status = "published" if article.status == PUBLISHED else "unpublished"
    return VersionRow(
        language=language,
        exists=article is not None or latest is not None,
        title=article.title if article else str(fields.get("title") or ""),
        status=status,
        published=article is not None and article.status == PUBLISHED,
        waiting=latest is not None and latest.state == STATE_SUBMITTED,
        draft=latest is not None and latest.state == STATE_DRAFT,
        updated_on=article.updated_on if article else None,
        signed_off_by=article.signed_off_by if article else None,
        signed_off_role=article.signed_off_role if article else None,
        signed_off_on=article.signed_off_on if article else None,
    )


def _row(
    slug: str,
    articles: Mapping[str, Article],
    latest: Mapping[str, ArticleRevision],
    texts: Sequence[object],
) -> ArticleRow:
    """The row of `slug` from its versions (`articles`, `latest`: by language)."""
    versions = tuple(_version(lang, articles.get(lang), latest.get(lang)) for lang in LANGUAGES)
    english = versions[0]
    shared = articles.get(DEFAULT_LANGUAGE)
    fields = dict(latest[DEFAULT_LANGUAGE].fields) if DEFAULT_LANGUAGE in latest else {}
    today = dt.date.today()
    return ArticleRow(
        slug=slug,
        title=english.title or next((v.title for v in versions if v.title), slug),
        group=shared.group if shared else str(fields.get("group") or ""),
        text=" ".join(str(x or "") for x in texts),
        status=english.status if english.exists else "new, not published",
        published=english.published,
        waiting=any(v.waiting for v in versions),
        draft=english.draft,
        updated_on=english.updated_on,
        stale=any(
            v.published and v.updated_on is not None and today - v.updated_on > STALE_AFTER
            for v in versions
        ),
        signed_off_by=english.signed_off_by,
        signed_off_role=english.signed_off_role,
        signed_off_on=english.signed_off_on,
        versions=versions,
    )


def article_rows(session: Session) -> list[ArticleRow]:
    """Every topic, published or not, with each version's review state, by group then title."""
    articles: dict[str, dict[str, Article]] = {}
    for article in session.scalars(select(Article)):
        articles.setdefault(article.slug, {})[article.language] = article
    latest: dict[str, dict[str, ArticleRevision]] = {}
    for revision in session.scalars(select(ArticleRevision).order_by(ArticleRevision.number)):
        latest.setdefault(revision.slug, {})[revision.language] = revision
    rows = []
    for slug in sorted(set(articles) | set(latest)):
        texts: list[object] = []
        for language in LANGUAGES:
            article = articles.get(slug, {}).get(language)
            revision = latest.get(slug, {}).get(language)
            if article is not None:
                texts += [article.answer, article.details]
                texts += [article.title] if language != DEFAULT_LANGUAGE else []
            elif revision is not None:
                texts += [revision.fields.get(f) for f in ("answer", "details")]
        rows.append(_row(slug, articles.get(slug, {}), latest.get(slug, {}), texts))
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
