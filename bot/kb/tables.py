"""Database tables of the knowledge base: articles and the hospital's own values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, Integer, String, Text, UniqueConstraint

from bot.db import Base, utcnow
from bot.language import DEFAULT_LANGUAGE

DRAFT = "draft"
PUBLISHED = "published"
STATUSES = (DRAFT, PUBLISHED)


class Article(Base):
    """One language version of a curated answer, written and reviewed by a person.

    A topic (its slug) has one row per language; each version has its own text, sources,
    dates, status and sign-off. The group and the related topics are the English row's,
    shared by every version.
    """

    __tablename__ = "article"
    __table_args__ = (UniqueConstraint("slug", "language", name="uq_article_slug_language"),)

    id = Column(Integer, primary_key=True)
    slug = Column(String(80), nullable=False, index=True)
    language = Column(
        String(2), nullable=False, default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE
    )
    title = Column(String(200), nullable=False)
    group = Column("group_name", String(40), nullable=False)
    answer = Column(Text, nullable=False)
    details = Column(Text, nullable=True)
    related = Column(JSON, nullable=False, default=list)
    terms = Column(JSON, nullable=False, default=dict)
    sources = Column(JSON, nullable=False, default=list)  # [{"name": ..., "url": ...}]
    updated_on = Column(Date, nullable=False)  # when the text last changed ("Last updated")
    status = Column(String(20), nullable=False, default=DRAFT)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    # Clinical sign-off of the current text, by a reviewer in the staff workspace. Plain
    # strings: the knowledge base knows nothing of staff accounts. Never in the files.
    signed_off_by = Column(String(80), nullable=True)
    signed_off_role = Column(String(80), nullable=True)
    signed_off_on = Column(Date, nullable=True)

    def __repr__(self) -> str:
        return f"Article(slug={self.slug!r}, language={self.language!r}, status={self.status!r})"


class HospitalSetting(Base):
    """A hospital-specific value rendered into answers (phone numbers, hours)."""

    __tablename__ = "hospital_setting"

    key = Column(String(80), primary_key=True)
    value = Column(Text, nullable=False)


def article_fields(article: Article) -> dict[str, object]:
    """Return an article's content as the plain mapping used in `data/kb/` files.

    The clinical sign-off is not content: it stays in the database, never in a file.
    A version in another language than the default carries `language` (its file lives
    in `data/kb/<language>/`); the English mapping is the one English files hold.
    """
    fields: dict[str, object] = {
        "slug": article.slug,
        "title": article.title,
        "group": article.group,
        "answer": article.answer,
    }
    if article.details:
        fields["details"] = article.details
    fields.update(
        related=list(article.related or []),
        terms={k: list(v) for k, v in (article.terms or {}).items()},
        sources=[dict(s) for s in article.sources or []],
        updated_on=article.updated_on,
        status=article.status,
    )
    if article.language and article.language != DEFAULT_LANGUAGE:
        fields["language"] = article.language
    return fields


# What a clinical sign-off vouches for, and what "Last updated" dates: the words patients
# read. Links between topics, search terms and the group are not the text.
TEXT_FIELDS = ("title", "answer", "details", "sources")


def text_of(fields: Mapping[str, Any]) -> tuple[object, ...]:
    """The patient-facing text of an article's fields, comparable with `==`."""
    sources = [
        (str(s.get("name") or "").strip(), str(s.get("url") or "").strip())
        for s in fields.get("sources") or []
        if isinstance(s, Mapping)
    ]
    return (
        str(fields.get("title") or "").strip(),
        str(fields.get("answer") or "").strip(),
        str(fields.get("details") or "").strip(),
        sources,
    )


def clear_sign_off(article: Article) -> None:
    """Forget the clinical sign-off: it was given to a text that has changed."""
    article.signed_off_by = None
    article.signed_off_role = None
    article.signed_off_on = None
