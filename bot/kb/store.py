"""The knowledge base in the database: read answers at answer time, load and export files.

Articles are read on every message, so an edit by staff shows on the next answer
without retraining.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import check_schema, make_engine, make_session_factory
from bot.kb.answers import Answer, did_you_mean, render, unavailable, urgent_fallback
from bot.kb.files import dump_article, term_key
from bot.kb.hospital import hospital_values
from bot.kb.tables import PUBLISHED, Article, article_fields
from bot.kb.topics import NOT_UNDERSTOOD_SLUG, URGENT_SLUG
from bot.settings import Settings

logger = logging.getLogger(__name__)


def get_article(session: Session, slug: str, *, published_only: bool = True) -> Article | None:
    """Return the article for `slug`, or None (drafts are hidden unless asked for)."""
    stmt = select(Article).where(Article.slug == slug)
    if published_only:
        stmt = stmt.where(Article.status == PUBLISHED)
    return session.scalars(stmt).first()


def awaiting_sign_off(session: Session) -> list[Article]:
    """Published articles whose current text no reviewer has signed off, by slug."""
    stmt = select(Article).where(Article.status == PUBLISHED, Article.signed_off_on.is_(None))
    return list(session.scalars(stmt.order_by(Article.slug)))


def published_articles(session: Session) -> list[Article]:
    """Return every published article, by group then title (the web app's topic list)."""
    stmt = select(Article).where(Article.status == PUBLISHED)
    return list(session.scalars(stmt.order_by(Article.group, Article.title)))


def related_titles(session: Session, slugs: Sequence[str]) -> dict[str, str]:
    """Return slug -> title for the published articles among `slugs`, in their order."""
    rows = session.execute(
        select(Article.slug, Article.title).where(
            Article.slug.in_(list(slugs)), Article.status == PUBLISHED
        )
    ).all()
    titles = dict(rows)
    return {s: titles[s] for s in slugs if s in titles}


@dataclass
class LoadReport:
    """What loading a folder of articles did."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the database differs: staff's copy wins


def load_articles(session: Session, articles: Iterable[Mapping[str, Any]]) -> LoadReport:
    """Insert missing articles; never overwrite one that is already in the database."""
    report = LoadReport()
    existing = {a.slug: a for a in session.scalars(select(Article))}
    for fields in articles:
        current = existing.get(fields["slug"])
        if current is None:
            session.add(Article(**fields))
            report.added.append(fields["slug"])
        elif same_content(article_fields(current), fields):
            report.unchanged.append(fields["slug"])
        else:
            report.kept.append(fields["slug"])
    return report


def same_content(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two articles' fields say the same (empty values count as absent)."""

    def norm(d: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v not in (None, "", [], {})}

    return norm(a) == norm(b)


def article_files(session: Session) -> Iterator[tuple[str, str]]:
    """Every article (drafts included) as (`<slug>.yml`, its YAML), by slug."""
    for article in session.scalars(select(Article).order_by(Article.slug)):
        yield f"{article.slug}.yml", dump_article(article_fields(article))


def export_articles(session: Session, out_dir: Path) -> list[Path]:
    """Write every article (drafts included) as `<slug>.yml` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in article_files(session):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


class ArticleStore:
    """Answers from the knowledge base, for the actions and the web app.

    Args:
        session_factory: the one session factory of the process.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    @classmethod
    def from_settings(cls, settings: Settings, *, check: bool = True) -> ArticleStore:
        """Open the configured database.

        Args:
            settings: where the database is.
            check: fail now if the database is missing or not migrated; without it,
                failures surface (and are handled) on each read.

        Raises:
            DatabaseNotReady: `check` is set and the database cannot be used.
        """
        engine = make_engine(settings.database_url)
        if check:
            check_schema(engine)
        return cls(make_session_factory(engine))

    def hospital_values_or_defaults(self) -> dict[str, str]:
        """Return the hospital settings, or none (placeholders) if the database fails."""
        try:
            with self.session_factory() as session:
                return hospital_values(session)
        except SQLAlchemyError as error:
            logger.error("knowledge base unreachable: %s", error.__class__.__name__)
            return {}

    def answer_for(self, slug: str) -> Answer:
        """Return the published article's chat answer, or a safe fallback."""
        return self._render(slug, details=False)

    def details_for(self, slug: str) -> Answer:
        """Return the article's "more detail" text (its answer when it has none)."""
        return self._render(slug, details=True)

    def did_you_mean(self, slugs: Sequence[str]) -> Answer:
        """Offer these topics as buttons; not-understood when none is published."""
        try:
            with self.session_factory() as session:
                titles = related_titles(session, list(slugs))
        except SQLAlchemyError as error:
            logger.error("knowledge base unreachable: %s", error.__class__.__name__)
            return unavailable()
        return did_you_mean(titles) if titles else self.answer_for(NOT_UNDERSTOOD_SLUG)

    def slugs_for_terms(self, values: Iterable[str]) -> list[str]:
        """Return the slugs that terms (or slugs) point to, in order, without repeats.

        Entity values arrive normalised to slugs by Rasa's synonyms; raw terms are
        looked up too, so a synonym missing from the model still finds its article.
        """
        with self.session_factory() as session:
            articles = session.scalars(select(Article).where(Article.status == PUBLISHED)).all()
        index = {a.slug: a.slug for a in articles}
        for article in articles:
            for words in (article.terms or {}).values():
                index.update((term_key(w), article.slug) for w in words)
        found = (index.get(term_key(v)) for v in values)
        return list(dict.fromkeys(slug for slug in found if slug))

    def _render(self, slug: str, *, details: bool) -> Answer:
        try:
            with self.session_factory() as session:
                values = hospital_values(session)
                article = get_article(session, slug) or (
                    None if slug == URGENT_SLUG else get_article(session, NOT_UNDERSTOOD_SLUG)
                )
                if article is None:
                    return urgent_fallback(values) if slug == URGENT_SLUG else unavailable(values)
                text = (article.details or article.answer) if details else article.answer
                return render(
                    article.slug,
                    text,
                    values=values,
                    related=related_titles(session, article.related or []),
                    sources=article.sources or [],
                    updated_on=article.updated_on,
                    signed_off_on=article.signed_off_on,
                )
        except SQLAlchemyError as error:
            logger.error("knowledge base unreachable: %s", error.__class__.__name__)
            return urgent_fallback({}) if slug == URGENT_SLUG else unavailable()
