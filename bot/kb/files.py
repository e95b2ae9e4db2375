"""Read and check the knowledge base kept as YAML files (`data/kb/<slug>.yml`).

Every problem names the file, the line and the field, so staff can fix it without
reading code. Reading never touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kb.reading_level import (
    MAX_ANSWER_WORDS,
    MAX_DETAILS_WORDS,
    MAX_GRADE,
    MIN_WORDS_GRADED,
    reading_grade,
    word_count,
)
from bot.kb.tables import STATUSES
from bot.kb.topics import GROUPS, REQUIRED_SLUGS, intent_for_slug, with_topic_intents
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
MAX_MEDIAN_ANSWER_GRADE = 6.0
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# "Call ... at once" (or contact, right away, now...) within one sentence: such an article
# must also give 15 or 112, for when the team cannot be reached.
_SENTENCE = re.compile(r"[^.!?\n]+")
_CALL = re.compile(r"\b(call|calls|calling|contact|phone|ring)\b", re.IGNORECASE)
_AT_ONCE = re.compile(
    r"\b(at once|right away|straight away|immediately|now|day or night)\b", re.IGNORECASE
)
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


@dataclass(frozen=True)
class KnowledgeBase:
    """The articles read from a folder (as plain field mappings) and their problems."""

    articles: tuple[dict[str, Any], ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that must be fixed before loading."""
        return tuple(p for p in self.problems if p.severity == "error")


def term_key(term: str) -> str:
    """The form under which a term is compared: lowercase, single spaces."""
    return " ".join(term.lower().split())


def read_kb(kb_dir: Path, known_intents: Iterable[str] | None = None) -> KnowledgeBase:
    """Read every `*.yml` file in `kb_dir` and check each one and the whole set.

    Args:
        kb_dir: the folder of article files.
        known_intents: intents of the Rasa domain; when given, every related slug
            must have one (it is the payload of its button).

    Returns:
        The readable articles and every problem found.
    """
    articles: list[dict[str, Any]] = []
    problems: list[Problem] = []
    files = sorted(kb_dir.glob("*.yml"))
    if not files:
        problems.append(Problem(str(kb_dir), "no article files (*.yml) found"))
    for path in files:
        fields, file_problems = read_article_file(path)
        problems.extend(file_problems)
        if fields is not None:
            articles.append(fields)
    problems.extend(check_set(articles, known_intents))
    problems.extend(check_median_grade(articles, str(kb_dir)))
    return KnowledgeBase(tuple(articles), tuple(problems))


def check_median_grade(articles: Iterable[Mapping[str, Any]], where: str) -> list[Problem]:
    """The answers, taken together, read at grade 6 or below (their median).

    Answers too short for a grade count as easy reading (grade 0), as in the per-answer
    check.
    """
    grades = sorted(
        reading_grade(a["answer"]) if word_count(a["answer"]) >= MIN_WORDS_GRADED else 0.0
        for a in articles
    )
    if not grades:
        return []
    middle = len(grades) // 2
    median = grades[middle] if len(grades) % 2 else (grades[middle - 1] + grades[middle]) / 2
    if median <= MAX_MEDIAN_ANSWER_GRADE:
        return []
    return [
        Problem(
            where,
            f"the answers' median reading grade is {median:.1f}; at most "
            f"{MAX_MEDIAN_ANSWER_GRADE:g} (shorten sentences in the hardest answers)",
            "answer",
        )
    ]


def read_article_file(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and check one article file; fields are None when it cannot be used."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        return None, [Problem(name, "is not UTF-8 text")]
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        return None, [Problem(name, f"is not valid YAML: {error.problem}", line=line)]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(name, "must be a mapping of field: value", line=1)]
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
    for key, value in node.value:
        if getattr(key, "value", None) == "sources" and isinstance(value, yaml.SequenceNode):
            lines.update(
                {f"sources[{i}]": item.start_mark.line + 1 for i, item in enumerate(value.value)}
            )
    problems = check_fields(data, name, lines, expected_slug=path.stem)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return data, problems


def check_fields(
    data: Mapping[str, Any],
    file: str,
    lines: Mapping[str, int] | None = None,
    expected_slug: str | None = None,
) -> list[Problem]:
    """Check one article's fields on their own (not against other articles)."""
    lines = lines or {}
    problems: list[Problem] = []

    def add(field: str, message: str, severity: str = "error", at: str | None = None) -> None:
        line = lines.get(at or field) or lines.get(field)
        problems.append(Problem(file, message, field, line, severity))

    for field in REQUIRED_FIELDS:
        if data.get(field) in (None, "", []) and field not in ("related", "terms"):
            add(field, "is missing")
    for field in data:
        if field not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            add(field, f"is not a known field (known: {', '.join(REQUIRED_FIELDS)}, details)")
    if problems:
        return problems

    slug = data["slug"]
    if not isinstance(slug, str) or not is_slug(slug):
        add("slug", "must be lowercase words joined by dashes, e.g. car-t-cells")
    elif expected_slug is not None and slug != expected_slug:
        add("slug", f"is {slug!r} but the file is named {expected_slug}.yml")
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
        _check_text(data, add)
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


def says_call_at_once(text: str) -> bool:
    """Whether a sentence of `text` tells the reader to call or contact someone at once."""
    return any(
        _CALL.search(sentence) and _AT_ONCE.search(sentence) for sentence in _SENTENCE.findall(text)
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


def _check_text(data: Mapping[str, Any], add: Callable[[str, str], None]) -> None:
    if looks_like_html(data.get("title") or ""):
        add("title", "must be plain text, not HTML")
    for field in ("answer", "details"):
        text = data.get(field) or ""
        if says_call_at_once(text) and not _EMERGENCY_NUMBER.search(
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
        grade = reading_grade(text) if words >= MIN_WORDS_GRADED else 0.0
        if grade > MAX_GRADE:
            add(
                field,
                f"reads at grade {grade:.1f}; at most {MAX_GRADE:g} (shorter sentences, "
                "common words)",
            )


def check_set(
    articles: Iterable[Mapping[str, Any]], known_intents: Iterable[str] | None = None
) -> list[Problem]:
    """Check what only the whole set can tell: required slugs, links and terms."""
    articles = list(articles)
    by_slug = {a["slug"]: a for a in articles}
    problems = [
        Problem(f"{slug}.yml", "required topic is missing (see bot/kb/topics.py)")
        for slug in REQUIRED_SLUGS
        if slug not in by_slug
    ]
    # A topic's intent is generated from its article when a model is trained: it counts.
    intents = with_topic_intents(known_intents, by_slug)
    owner: dict[str, str] = {}
    for article in articles:
        file = f"{article['slug']}.yml"
        for target in article.get("related") or []:
            if target not in by_slug:
                problems.append(Problem(file, f"unknown slug {target!r}", "related"))
            elif intents is not None and intent_for_slug(target) not in intents:
                problems.append(
                    Problem(
                        file,
                        f"no intent {intent_for_slug(target)!r} in the domain handles "
                        f"the button for {target!r}",
                        "related",
                    )
                )
        for words in (article.get("terms") or {}).values():
            for word in words:
                key = term_key(word)
                if key in owner and owner[key] != article["slug"]:
                    problems.append(
                        Problem(file, f"term {word!r} also points to {owner[key]}.yml", "terms")
                    )
                owner.setdefault(key, article["slug"])
    return problems


def dump_article(fields: Mapping[str, Any]) -> str:
    """Write one article as YAML in the field order of `docs/kb-format.md`."""
    ordered = {
        k: fields[k]
        for k in REQUIRED_FIELDS[:4] + OPTIONAL_FIELDS + REQUIRED_FIELDS[4:]
        if k in fields
    }
    if "sources" in ordered:  # name before url, no empty url
        ordered["sources"] = [
            {k: s[k] for k in SOURCE_KEYS if s.get(k)} for s in ordered["sources"] or []
        ]
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=88)
