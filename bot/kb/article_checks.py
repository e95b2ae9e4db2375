"""Check one article's fields on their own: the rules `kb check` applies to each file.

Every problem names the file, the line and the field. A French version is checked like
an English one, with French "call at once" words and the French reading ease.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.kb.reading_level import (
    MAX_ANSWER_WORDS,
    MAX_DETAILS_WORDS,
    MAX_GRADE,
    MIN_EASE,
    MIN_WORDS_GRADED,
    reading_ease,
    reading_grade,
    word_count,
)
from bot.kb.tables import STATUSES
from bot.kb.topics import GROUPS
from bot.language import DEFAULT_LANGUAGE, LANGUAGES
from bot.text import is_slug

ENTITY_KINDS = ("therapy", "drug", "side_effect", "cancer_type")
# Hospital settings an article may name; `hospital_name` keeps the assistant from naming one
# hospital for every deployment (medical review, greeting row).
PLACEHOLDERS = ("care_team_phone", "care_team_hours", "trials_contact", "hospital_name")
REQUIRED_FIELDS = (
    "slug",
    "title",
    "group",
    "answer",
    "related",
    "terms",
    "sources",
    "updated_on",
    "status",
)
OPTIONAL_FIELDS = ("details",)
SOURCE_KEYS = ("name", "url")
# Conversation articles (greeting, thanks...) are written by the team: a source may say so
# without a link. Every other article cites pages a reader can open.
UNLINKED_GROUPS = ("conversation",)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# "Call ... at once" (or contact, right away, now...) within one sentence: such an article
# must also give 15 or 112, for when the team cannot be reached.
_SENTENCE = re.compile(r"[^.!?\n]+")
_CALL = {
    "en": re.compile(r"\b(call|calls|calling|contact|phone|ring)\b", re.IGNORECASE),
    "fr": re.compile(
        r"\b(appelez|appeler|appelle|appelles|appelons|contactez|contacter|téléphonez|"
        r"téléphoner)\b",
        re.IGNORECASE,
    ),
}
_AT_ONCE = {
    "en": re.compile(
        r"\b(at once|right away|straight away|immediately|now|day or night)\b", re.IGNORECASE
    ),
    "fr": re.compile(
        r"\b(tout de suite|immédiatement|sans attendre|jour et nuit|maintenant)\b",
        re.IGNORECASE,
    ),
}
_EMERGENCY_NUMBER = re.compile(r"\b(15|112)\b")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base."""

    file: str
    message: str
    field: str | None = None
    line: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        what = f" [{self.field}]" if self.field else ""
        return f"{self.severity.upper()} {where}{what}: {self.message}"


def language_of(fields: Mapping[str, Any]) -> str:
    """The language of an article's fields (English unless they say otherwise)."""
    return str(fields.get("language") or DEFAULT_LANGUAGE)


def check_fields(
    data: Mapping[str, Any],
    file: str,
    lines: Mapping[str, int] | None = None,
    expected_slug: str | None = None,
    *,
    language: str | None = None,
) -> list[Problem]:
    """Check one article's fields on their own (not against other articles).

    Args:
        data: the fields; a translation's carry its English version's shared fields.
        file: the file named in problems.
        lines: field -> line in the file.
        expected_slug: the slug the file name gives.
        language: the version's language; default: the fields' own (`language`).
    """
    lines = lines or {}
    language = language or language_of(data)
    problems: list[Problem] = []

    def add(field: str, message: str, severity: str = "error", at: str | None = None) -> None:
        line = lines.get(at or field) or lines.get(field)
        problems.append(Problem(file, message, field, line, severity))

    for field in REQUIRED_FIELDS:
        if data.get(field) in (None, "", []) and field not in ("related", "terms"):
            add(field, "is missing")
    for field in data:
        if field not in REQUIRED_FIELDS + OPTIONAL_FIELDS + ("language",):
            add(field, f"is not a known field (known: {', '.join(REQUIRED_FIELDS)}, details)")
    if problems:
        return problems

    slug = data["slug"]
    if not isinstance(slug, str) or not is_slug(slug):
        add("slug", "must be lowercase words joined by dashes, e.g. car-t-cells")
    elif expected_slug is not None and slug != expected_slug:
        add("slug", f"is {slug!r} but the file is named {expected_slug}.yml")
    if language not in LANGUAGES:
        add("language", f"must be one of: {', '.join(LANGUAGES)}")
    if data["group"] not in GROUPS:
        add("group", f"must be one of: {', '.join(GROUPS)}")
    if data["status"] not in STATUSES:
        add("status", f"must be one of: {', '.join(STATUSES)}")
    if not isinstance(data["updated_on"], dt.date):
        add("updated_on", "must be a date written YYYY-MM-DD")
    elif data["updated_on"] > dt.date.today():
        add("updated_on", "is in the future")
    _check_sources(data["sources"], data["group"] not in UNLINKED_GROUPS, add)
    for field in ("title", "answer", "details"):
        if field in data and not isinstance(data[field], str):
            add(field, "must be text")
    related = data.get("related") or []
    if not isinstance(related, list) or not all(isinstance(s, str) for s in related):
        add("related", "must be a list of slugs")
    elif slug in related:
        add("related", "must not list the article itself")
    _check_terms(data.get("terms"), add)
    if not problems:
        _check_text(data, add, language)
    return problems


def _check_sources(sources: Any, need_url: bool, add: Callable[..., None]) -> None:
    """Each source: a plain-text name and, outside conversation articles, an https link."""
    if not isinstance(sources, list):
        add("sources", "must be a list of sources, each with a name and a url")
        return
    for i, source in enumerate(sources):
        at = f"sources[{i}]"
        if not isinstance(source, dict):
            add("sources", f"source {i + 1} must have a name and a url", at=at)
            continue
        unknown = sorted(set(source) - set(SOURCE_KEYS))
        if unknown:
            add("sources", f"source {i + 1}: {unknown[0]!r} is not known (name, url)", at=at)
        name, url = source.get("name"), source.get("url")
        if not isinstance(name, str) or not name.strip():
            add("sources", f"source {i + 1} has no name", at=at)
        elif looks_like_html(name):
            add("sources", f"source {i + 1}: the name must be plain text, not HTML", at=at)
        if url is None or url == "":
            if need_url:
                add("sources", f"source {i + 1} ({_short(name)}) has no url", at=at)
        elif not isinstance(url, str) or not is_https_url(url):
            message = f"source {i + 1} ({_short(name)}): the url must start with https://"
            add("sources", message, at=at)


def _short(name: Any) -> str:
    text = " ".join(str(name or "").split())
    return text if len(text) <= 40 else text[:39] + "…"


def is_https_url(url: str) -> bool:
    """Whether `url` is an https address with a host and nothing that breaks a link."""
    return re.fullmatch(r"https://[^\s/?#<>\"']+[^\s<>\"]*", url) is not None


def says_call_at_once(text: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a sentence of `text` tells the reader to call or contact someone at once.

    French: "appelez", "contactez", "téléphonez"... with "tout de suite", "immédiatement",
    "sans attendre", "jour et nuit" or "maintenant" in the same sentence.
    """
    call, at_once = _CALL.get(language, _CALL["en"]), _AT_ONCE.get(language, _AT_ONCE["en"])
    return any(
        call.search(sentence) and at_once.search(sentence) for sentence in _SENTENCE.findall(text)
    )


def _check_terms(terms: Any, add: Callable[[str, str], None]) -> None:
    if terms in (None, {}):
        return
    if not isinstance(terms, dict):
        add("terms", f"must map a kind ({', '.join(ENTITY_KINDS)}) to a list of words")
        return
    for kind, words in terms.items():
        if kind not in ENTITY_KINDS:
            add("terms", f"unknown kind {kind!r} (known: {', '.join(ENTITY_KINDS)})")
        elif not isinstance(words, list) or not all(
            isinstance(w, str) and w.strip() for w in words
        ):
            add("terms", f"{kind} must be a list of words")


def looks_like_html(text: str) -> bool:
    """Whether `text` holds markup (a tag, a comment): shown to patients, it must not."""
    return re.search(r"<[a-zA-Z/!]", text) is not None


def _check_text(
    data: Mapping[str, Any], add: Callable[[str, str], None], language: str = DEFAULT_LANGUAGE
) -> None:
    if looks_like_html(data.get("title") or ""):
        add("title", "must be plain text, not HTML")
    for field in ("answer", "details"):
        text = data.get(field) or ""
        if says_call_at_once(text, language) and not _EMERGENCY_NUMBER.search(
            f"{data.get('answer') or ''} {data.get('details') or ''}"
        ):
            add(field, "says to call at once but names neither 15 (SAMU) nor 112")
    for field, max_words in (("answer", MAX_ANSWER_WORDS), ("details", MAX_DETAILS_WORDS)):
        text = data.get(field)
        if not text:
            continue
        unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
        if unknown:
            add(field, f"unknown placeholder {{{unknown[0]}}} (known: {', '.join(PLACEHOLDERS)})")
        if looks_like_html(text):
            add(field, "must be plain text, not HTML")
        words = word_count(text)
        if words > max_words:
            add(field, f"has {words} words; at most {max_words}")
        if words < MIN_WORDS_GRADED:
            continue
        if language == "fr":
            ease = reading_ease(text, "fr")
            if ease < MIN_EASE:
                add(
                    field,
                    f"reading ease is {ease:.1f}; at least {MIN_EASE:g} (shorter sentences, "
                    "shorter and common words)",
                )
        elif (grade := reading_grade(text)) > MAX_GRADE:
            add(
                field,
                f"reads at grade {grade:.1f}; at most {MAX_GRADE:g} (shorter sentences, "
                "common words)",
            )
