"""The knowledge base in the database: read answers at answer time, load and export files.

Articles are read on every message, so an edit by staff shows on the next answer
without retraining. Each topic has a version per language; a reader gets the version in
the conversation's language, or the English one while that version is not published.
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
from bot.kb.files import dump_article, language_of, term_key, version_file
from bot.kb.hospital import hospital_values
from bot.kb.tables import PUBLISHED, Article, article_fields
from bot.kb.topics import NOT_UNDERSTOOD_SLUG, URGENT_SLUG
from bot.language import DEFAULT_LANGUAGE
from bot.settings import Settings

logger = logging.getLogger(__name__)


def get_article(
    session: Session,
    slug: str,
    *,
    language: str = DEFAULT_LANGUAGE,
    published_only: bool = True,
) -> Article | None:
    """Return the `language` version of `slug`, or None (drafts hidden unless asked for).

    Exactly that version: staff edit it. Readers get `readable_article`'s fallback.
    """
    stmt = select(Article).where(Article.slug == slug, Article.language == language)
    if published_only:
        stmt = stmt.where(Article.status == PUBLISHED)
    return session.scalars(stmt).first()


def readable_article(
    session: Session, slug: str, *, language: str = DEFAULT_LANGUAGE
) -> Article | None:
    """The published version a reader of `language` gets: theirs, else the English one."""
    return get_article(session, slug, language=language) or (
        get_article(session, slug) if language != DEFAULT_LANGUAGE else None
    )


def _readable(articles: Iterable[Article], language: str) -> dict[str, Article]:
    """Map each topic among `articles` to the version a reader of `language` gets."""
    chosen: dict[str, Article] = {}
    for article in articles:
        if article.language == language or (
            article.language == DEFAULT_LANGUAGE and article.slug not in chosen
        ):
            chosen[article.slug] = article
    return chosen


def _published(
    session: Session, language: str, slugs: Sequence[str] | None = None
) -> list[Article]:
    """The published versions in `language` and in English (the fallback), English first."""
    stmt = select(Article).where(
        Article.status == PUBLISHED, Article.language.in_(sorted({language, DEFAULT_LANGUAGE}))
    )
    if slugs is not None:
        stmt = stmt.where(Article.slug.in_(list(slugs)))
    articles = session.scalars(stmt).all()
    return sorted(articles, key=lambda a: a.language != DEFAULT_LANGUAGE)


def awaiting_sign_off(session: Session) -> list[Article]:
    """Published versions whose current text no reviewer has signed off, by slug."""
    stmt = select(Article).where(Article.status == PUBLISHED, Article.signed_off_on.is_(None))
    return list(session.scalars(stmt.order_by(Article.slug, Article.language)))


def published_articles(session: Session, *, language: str = DEFAULT_LANGUAGE) -> list[Article]:
    """Every published topic in `language` (else English), by group then title (topic list)."""
    articles = _readable(_published(session, language), language).values()
    return sorted(articles, key=lambda a: (a.group, a.title))


def related_titles(
    session: Session, slugs: Sequence[str], *, language: str = DEFAULT_LANGUAGE
) -> dict[str, str]:
    """Return slug -> title in `language` (else English) of the published among `slugs`."""
    titles = {
        s: a.title for s, a in _readable(_published(session, language, slugs), language).items()
    }
    return {s: titles[s] for s in slugs if s in titles}


@dataclass
class LoadReport:
    """What loading a folder of articles did."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # the database differs: staff's copy wins


def load_articles(session: Session, articles: Iterable[Mapping[str, Any]]) -> LoadReport:
    """Insert missing article versions; never overwrite one already in the database.

    The report names an English version by its slug, another by `<language>/<slug>`.
    """
    report = LoadReport()
    existing = {(a.slug, a.language): a for a in session.scalars(select(Article))}
    for fields in articles:
        language = language_of(fields)
        current = existing.get((fields["slug"], language))
        name = version_file(fields["slug"], language).removesuffix(".yml")
        if current is None:
            session.add(Article(**{**fields, "language": language}))
            report.added.append(name)
        elif same_content(article_fields(current), fields):
            report.unchanged.append(name)
        else:
            report.kept.append(name)
    return report


def same_content(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two articles' fields say the same (empty values count as absent)."""

    def norm(d: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v not in (None, "", [], {})}

    return norm(a) == norm(b)


def article_files(session: Session) -> Iterator[tuple[str, str]]:
    """Every article version (drafts included) as (its file name, its YAML).

    English versions first (`<slug>.yml`), then each other language's (`fr/<slug>.yml`),
    by slug.
    """
    stmt = select(Article).order_by(Article.language != DEFAULT_LANGUAGE, Article.language)
    for article in session.scalars(stmt.order_by(Article.slug)):
        yield version_file(article.slug, article.language), dump_article(article_fields(article))


def export_articles(session: Session, out_dir: Path) -> list[Path]:
    """Write every article version (drafts included) into `out_dir` (and `out_dir/fr`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in article_files(session):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
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

    def answer_for(self, slug: str, *, language: str = DEFAULT_LANGUAGE) -> Answer:
        """Return the published article's chat answer in `language`, or a safe fallback."""
        return self._render(slug, details=False, language=language)

    def details_for(self, slug: str, *, language: str = DEFAULT_LANGUAGE) -> Answer:
        """Return the article's "more detail" text (its answer when it has none)."""
        return self._render(slug, details=True, language=language)

    def did_you_mean(self, slugs: Sequence[str], *, language: str = DEFAULT_LANGUAGE) -> Answer:
        """Offer these topics as buttons; not-understood when none is published."""
        try:
            with self.session_factory() as session:
                titles = related_titles(session, list(slugs), language=language)
        except SQLAlchemyError as error:
            logger.error("knowledge base unreachable: %s", error.__class__.__name__)
            return unavailable(language=language)
        if not titles:
            return self.answer_for(NOT_UNDERSTOOD_SLUG, language=language)
        return did_you_mean(titles, language=language)

    def slugs_for_terms(
        self, values: Iterable[str], *, language: str = DEFAULT_LANGUAGE
    ) -> list[str]:
        """Return the slugs that terms (or slugs) point to, in order, without repeats.

        Entity values arrive normalised to slugs by Rasa's synonyms; raw terms are
        looked up too, so a synonym missing from the model still finds its article.
        English terms count in every language (readers borrow them: "CAR-T"); where
        a term means another topic in `language`, that language's wins.
        """
        with self.session_factory() as session:
            articles = _published(session, language)
        index = {a.slug: a.slug for a in articles}
        for article in articles:  # English first: the reader's language overrides
            for words in (article.terms or {}).values():
                index.update((term_key(w), article.slug) for w in words)
        found = (index.get(term_key(v)) for v in values)
        return list(dict.fromkeys(slug for slug in found if slug))

    def _render(self, slug: str, *, details: bool, language: str) -> Answer:
        try:
            with self.session_factory() as session:
                values = hospital_values(session)
                article = readable_article(session, slug, language=language) or (
                    None
                    if slug == URGENT_SLUG
                    else readable_article(session, NOT_UNDERSTOOD_SLUG, language=language)
                )
                if article is None:
                    if slug == URGENT_SLUG:
                        return urgent_fallback(values, language=language)
                    return unavailable(values, language=language)
                text = (article.details or article.answer) if details else article.answer
                # The labels follow the text: an English fallback reads as one English block.
                return render(
                    article.slug,
                    text,
                    values=values,
                    related=related_titles(
                        session, _related_of(session, article), language=article.language
                    ),
                    sources=article.sources or [],
                    updated_on=article.updated_on,
                    signed_off_on=article.signed_off_on,
                    language=article.language,
                )
        except SQLAlchemyError as error:
            logger.error("knowledge base unreachable: %s", error.__class__.__name__)
            if slug == URGENT_SLUG:
                return urgent_fallback({}, language=language)
            return unavailable(language=language)


def _related_of(session: Session, article: Article) -> list[str]:
    """The topics an article links to: its English version's (every version shares them)."""
    if article.language == DEFAULT_LANGUAGE:
        return list(article.related or [])
    english = get_article(session, article.slug, published_only=False)
    return list((english.related if english else article.related) or [])
