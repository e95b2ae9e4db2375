"""Database tables of the knowledge base: articles and the hospital's own values."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Integer, String, Text

from bot.db import Base, utcnow

DRAFT = "draft"
PUBLISHED = "published"
STATUSES = (DRAFT, PUBLISHED)


class Article(Base):
    """One curated answer, written and reviewed by a person."""

    __tablename__ = "article"

    id = Column(Integer, primary_key=True)
    slug = Column(String(80), nullable=False, unique=True, index=True)
    title = Column(String(200), nullable=False)
    group = Column("group_name", String(40), nullable=False)
    answer = Column(Text, nullable=False)
    details = Column(Text, nullable=True)
    related = Column(JSON, nullable=False, default=list)
    terms = Column(JSON, nullable=False, default=dict)
    source = Column(Text, nullable=False)
    reviewed_on = Column(Date, nullable=False)
    status = Column(String(20), nullable=False, default=DRAFT)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Article(slug={self.slug!r}, status={self.status!r})"


class HospitalSetting(Base):
    """A hospital-specific value rendered into answers (phone numbers, hours)."""

    __tablename__ = "hospital_setting"

    key = Column(String(80), primary_key=True)
    value = Column(Text, nullable=False)


def article_fields(article: Article) -> dict[str, object]:
    """Return an article's content as the plain mapping used in `data/kb/` files."""
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
        source=article.source,
        reviewed_on=article.reviewed_on,
        status=article.status,
    )
    return fields
