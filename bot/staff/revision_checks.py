"""An article revision's fields, and how they are checked (`bot.staff.article_list` reads them).

Fields are kept in two shapes: as stored in a revision (JSON-ready, `updated_on` as
YYYY-MM-DD) and as the `kb check` rules read them (`updated_on` a date). A change is
checked on its own and against the whole published set, so a broken link or a term
claimed twice is found before patients meet it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Refused
from bot.kb.files import (
    SHARED_FIELDS,
    Problem,
    check_fields,
    check_set,
    language_of,
    version_file,
)
from bot.kb.tables import PUBLISHED, Article, article_fields
from bot.language import DEFAULT_LANGUAGE
from bot.staff.tables import ArticleRevision

# Workflow states of a revision (the article's own `status` is published or draft).
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_PUBLISHED = "published"
STATE_REJECTED = "rejected"


class RevisionError(Refused):
    """A revision that cannot be made; the message says why and what to do."""


def to_stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as kept in a revision: JSON-ready, `updated_on` as YYYY-MM-DD.

    A translation's revision holds what its file holds, plus its `language`: the fields
    it shares with the English version (`group`, `related`) are the English one's.
    """
    language = language_of(fields)
    stored = {
        k: v
        for k, v in fields.items()
        if (k != "details" or v) and not (language != DEFAULT_LANGUAGE and k in SHARED_FIELDS)
    }
    if language != DEFAULT_LANGUAGE:
        stored["language"] = language
    else:
        stored.pop("language", None)
    updated = stored.get("updated_on")
    if isinstance(updated, dt.date):
        stored["updated_on"] = updated.isoformat()
    if isinstance(stored.get("sources"), list):
        stored["sources"] = [
            {k: v for k, v in s.items() if v not in (None, "")} if isinstance(s, dict) else s
            for s in stored["sources"]
        ]
    if language == DEFAULT_LANGUAGE:
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


def shared_fields(session: Session, slug: str) -> dict[str, Any] | None:
    """What every version of `slug` shares (`group`, `related`): the English version's.

    The English article row, else its newest revision (an article not published yet);
    None when there is no English version at all.
    """
    english = session.scalars(
        select(Article).where(Article.slug == slug, Article.language == DEFAULT_LANGUAGE)
    ).first()
    if english is not None:
        return {"group": english.group, "related": list(english.related or [])}
    stmt = select(ArticleRevision).where(
        ArticleRevision.slug == slug, ArticleRevision.language == DEFAULT_LANGUAGE
    )
    latest = session.scalars(stmt.order_by(ArticleRevision.number.desc())).first()
    if latest is None:
        return None
    return {f: latest.fields.get(f) for f in SHARED_FIELDS}


def complete(session: Session, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A version's fields with the ones it shares with the English version filled in.

    English fields are returned as they are; a translation without an English
    version gets none (the file checks then say what is missing).
    """
    if language_of(fields) == DEFAULT_LANGUAGE:
        return dict(fields)
    shared = shared_fields(session, str(fields.get("slug") or "")) or {}
    return {**fields, **{f: shared.get(f) for f in SHARED_FIELDS}}


def _published_set(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    """Every published version by (slug, language), translations with their shared links."""
    stmt = select(Article).where(Article.status == PUBLISHED)
    return {
        (a.slug, a.language): to_checked(complete(session, article_row_fields(a)))
        for a in session.scalars(stmt)
    }


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
        checked = to_checked(complete(session, fields))
        key = (checked["slug"], language_of(checked))
        if checked.get("status") == PUBLISHED:
            after[key] = checked
        else:
            after.pop(key, None)
    intents = list(known_intents) if known_intents is not None else None
    old = set(check_set(before.values(), intents))
    return [p for p in check_set(after.values(), intents) if p not in old]


def check_article(
    session: Session, fields: Mapping[str, Any], known_intents: Iterable[str] | None
) -> list[Problem]:
    """Every `kb check` problem of one article version, on its own and in the published set."""
    slug = str(fields.get("slug") or "")
    file = version_file(slug or "new-article", language_of(fields))
    problems = check_fields(to_checked(complete(session, fields)), file)
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
