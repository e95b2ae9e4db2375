"""The knowledge base's reads in a language, for the pages (issue 15's store contract).

The store takes `language=` (`get_article`, `published_articles`, `answer_for`,
`details_for`, `unavailable`); a `bot.kb` that predates it has the English version only,
and then every read here is the English one. This is the one place that knows.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from bot.kb import answers, store
from bot.kb.answers import Answer
from bot.kb.store import ArticleStore
from bot.kb.tables import Article
from bot.language import DEFAULT_LANGUAGE


def _takes_language(function: Callable[..., Any]) -> bool:
    return "language" in inspect.signature(function).parameters


def _in(function: Callable[..., Any], language: str) -> dict[str, str] | None:
    """`{"language": language}` for a store that takes it; None when it cannot answer."""
    if _takes_language(function):
        return {"language": language}
    return {} if language == DEFAULT_LANGUAGE else None


def article(session: Session, slug: str, language: str) -> Article | None:
    """The published version of `slug` in `language`, or None."""
    kw = _in(store.get_article, language)
    return None if kw is None else store.get_article(session, slug, **kw)


def published(session: Session, language: str) -> list[Article]:
    """The published articles in `language` (none when the store has no such version)."""
    kw = _in(store.published_articles, language)
    return [] if kw is None else store.published_articles(session, **kw)


def answer(kb: ArticleStore, slug: str, language: str, *, details: bool = False) -> Answer:
    """The rendered answer (or its details) of `slug` in `language`."""
    method = kb.details_for if details else kb.answer_for
    return method(slug, **(_in(method, language) or {}))


def unavailable(values: Mapping[str, str], language: str) -> Answer:
    """The care-team contact when nothing can be answered, in `language` if the store has it."""
    return answers.unavailable(values, **(_in(answers.unavailable, language) or {}))
