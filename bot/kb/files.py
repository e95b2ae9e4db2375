"""Read and check the knowledge base kept as YAML files.

English articles are `data/kb/<slug>.yml`; their French versions `data/kb/fr/<slug>.yml`,
with the same fields except `group` and `related`, which every version shares with the
English file. Every problem names the file (`fr/<slug>.yml` for a French one), the line
and the field, so staff can fix it without reading code. Reading never touches the
database. The rules for one article are `bot.kb.article_checks` (its `Problem`,
`check_fields`, `ENTITY_KINDS` and `looks_like_html` are importable from here as before);
this module reads the files and checks the set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kb.article_checks import ENTITY_KINDS as ENTITY_KINDS
from bot.kb.article_checks import (
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    SOURCE_KEYS,
    Problem,
    check_fields,
    language_of,
)
from bot.kb.article_checks import looks_like_html as looks_like_html
from bot.kb.reading_level import (
    MIN_MEDIAN_EASE,
    MIN_WORDS_GRADED,
    reading_ease,
    reading_grade,
    word_count,
)
from bot.kb.tables import PUBLISHED
from bot.kb.topics import REQUIRED_SLUGS, intent_for_slug, with_topic_intents
from bot.language import DEFAULT_LANGUAGE, LANGUAGES

# Every language version shares these with the English file: one set of links and one
# place in the topic list per topic. A translation's file leaves them out.
SHARED_FIELDS = ("group", "related")
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
MAX_MEDIAN_ANSWER_GRADE = 6.0


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


def version_file(slug: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The file name of an article version, relative to the KB folder: `fr/<slug>.yml`."""
    return f"{slug}.yml" if language == DEFAULT_LANGUAGE else f"{language}/{slug}.yml"


def read_kb(kb_dir: Path, known_intents: Iterable[str] | None = None) -> KnowledgeBase:
    """Read every article file of `kb_dir` (and its language folders) and check the set.

    Args:
        kb_dir: the folder of English article files; translations are in `<language>/`.
        known_intents: intents of the Rasa domain; when given, every related slug
            must have one (it is the payload of its button).

    Returns:
        The readable articles (translations carry `language` and the English file's
        shared fields) and every problem found.
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
    english = {a["slug"]: a for a in articles}
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        for path in sorted((kb_dir / language).glob("*.yml")):
            fields, file_problems = read_article_file(
                path, language=language, shared=english.get(path.stem)
            )
            problems.extend(file_problems)
            if fields is not None:
                articles.append(fields)
    problems.extend(check_set(articles, known_intents))
    problems.extend(check_translations(articles))
    for language in LANGUAGES:
        version = [a for a in articles if language_of(a) == language]
        problems.extend(check_median_grade(version, str(kb_dir), language=language))
    return KnowledgeBase(tuple(articles), tuple(problems))


def check_median_grade(
    articles: Iterable[Mapping[str, Any]], where: str, *, language: str = DEFAULT_LANGUAGE
) -> list[Problem]:
    """The answers, taken together, read easily: their median.

    English: median grade 6 or below. French: median reading ease 80 or more (see
    `bot.kb.reading_level`). Answers too short to measure count as easy reading (grade 0,
    ease 100), as in the per-answer check.
    """
    french = language == "fr"
    scores = sorted(
        _level(a["answer"], language)
        if word_count(a["answer"]) >= MIN_WORDS_GRADED
        else (100.0 if french else 0.0)
        for a in articles
    )
    if not scores:
        return []
    middle = len(scores) // 2
    median = scores[middle] if len(scores) % 2 else (scores[middle - 1] + scores[middle]) / 2
    if french:
        if median >= MIN_MEDIAN_EASE:
            return []
        message = (
            f"the French answers' median reading ease is {median:.1f}; at least "
            f"{MIN_MEDIAN_EASE:g} (shorten sentences in the hardest answers)"
        )
        return [Problem(str(Path(where) / language), message, "answer")]
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


def _level(text: str, language: str) -> float:
    """The English grade or, for French, the reading ease of `text`."""
    return reading_ease(text, "fr") if language == "fr" else reading_grade(text)


def read_article_file(
    path: Path,
    *,
    language: str = DEFAULT_LANGUAGE,
    shared: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and check one article file; fields are None when it cannot be used.

    Args:
        path: the file.
        language: the language of the version it holds (its folder's).
        shared: for a translation, the English version's fields (`group`, `related`);
            None when there is no English file, which is an error.
    """
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
    if language != DEFAULT_LANGUAGE:
        problems = _translation_problems(data, name, lines, language, shared)
        if problems:
            return None, problems
        data = {**data, **{f: (shared or {}).get(f) for f in SHARED_FIELDS}, "language": language}
    problems = check_fields(data, name, lines, expected_slug=path.stem, language=language)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return data, problems


def _translation_problems(
    data: Mapping[str, Any],
    file: str,
    lines: Mapping[str, int],
    language: str,
    shared: Mapping[str, Any] | None,
) -> list[Problem]:
    """What a translation's file must not hold, and the English file it needs."""
    problems = [
        Problem(file, "comes from the English file; leave it out of a translation", f, lines.get(f))
        for f in (*SHARED_FIELDS, "language")
        if f in data
    ]
    if shared is None:
        slug = Path(file).stem
        problems.append(
            Problem(
                file,
                f"is a {LANGUAGE_NAMES.get(language, language)} version without a usable "
                f"English file ({slug}.yml): write or fix the English article first",
            )
        )
    return problems


def check_set(
    articles: Iterable[Mapping[str, Any]], known_intents: Iterable[str] | None = None
) -> list[Problem]:
    """Check what only the whole set can tell: required slugs, links and terms.

    Links and required topics are the English versions' (translations share them);
    a term points to one article within each language.
    """
    articles = list(articles)
    english = [a for a in articles if language_of(a) == DEFAULT_LANGUAGE]
    by_slug = {a["slug"]: a for a in english}
    problems = [
        Problem(f"{slug}.yml", "required topic is missing (see bot/kb/topics.py)")
        for slug in REQUIRED_SLUGS
        if slug not in by_slug
    ]
    # A topic's intent is generated from its article when a model is trained: it counts.
    intents = with_topic_intents(known_intents, by_slug)
    for article in english:
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
    owner: dict[tuple[str, str], str] = {}
    for article in articles:
        language = language_of(article)
        file = version_file(article["slug"], language)
        for words in (article.get("terms") or {}).values():
            for word in words:
                key = (language, term_key(word))
                if key in owner and owner[key] != article["slug"]:
                    other = version_file(owner[key], language)
                    problems.append(Problem(file, f"term {word!r} also points to {other}", "terms"))
                owner.setdefault(key, article["slug"])
    return problems


def check_translations(articles: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """Every published topic is published in every language, and only then.

    A reader who switches language must find the same topics: a published English
    article without a published version in each other language is an error, and so
    is a published translation of an English article that is not published.
    """
    published = {(a["slug"], language_of(a)) for a in articles if a.get("status") == PUBLISHED}
    slugs = sorted({slug for slug, _ in published})
    problems = []
    for slug in slugs:
        english = (slug, DEFAULT_LANGUAGE) in published
        for language in LANGUAGES:
            if language == DEFAULT_LANGUAGE:
                continue
            name = LANGUAGE_NAMES.get(language, language)
            if english and (slug, language) not in published:
                problems.append(
                    Problem(
                        version_file(slug),
                        f"is published but lacks a {name} version "
                        f"({version_file(slug, language)}, published)",
                        "status",
                    )
                )
            elif not english and (slug, language) in published:
                problems.append(
                    Problem(
                        version_file(slug, language),
                        f"is published but lacks a published English version ({slug}.yml)",
                        "status",
                    )
                )
    return problems


def dump_article(fields: Mapping[str, Any]) -> str:
    """Write one article as YAML in the field order of `docs/kb-format.md`.

    A translation's file leaves out the fields it shares with the English file, and its
    language (its folder says it).
    """
    translation = language_of(fields) != DEFAULT_LANGUAGE
    ordered = {
        k: fields[k]
        for k in REQUIRED_FIELDS[:4] + OPTIONAL_FIELDS + REQUIRED_FIELDS[4:]
        if k in fields and not (translation and k in SHARED_FIELDS)
    }
    if "sources" in ordered:  # name before url, no empty url
        ordered["sources"] = [
            {k: s[k] for k in SOURCE_KEYS if s.get(k)} for s in ordered["sources"] or []
        ]
    return yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=88)
