"""What Rasa trains on, generated from the project's files and the database's articles.

`domain.yml` holds everything that is not a topic (conversation intents, entities,
slots, forms, actions). A topic needs an `ask_<slug>` intent, a rule that answers it,
and a place in the rule that resumes the trial search after a question: those are
generated here for every published article (and every required one), so staff add
or remove a topic by publishing or unpublishing its article, then training. Examples
of an intent no trained topic has (its article is missing or unpublished) are left
out, so `rasa data validate` never meets an undeclared intent. The titles of a topic's
translations (French) become examples of its intent, so a reader who types a French
title (or a button's text on a channel without buttons) finds the topic; the terms of
every language reach the model as synonyms and lookup tables (`bot.kb.nlu_terms`).

Everything is written under `<project>/var/training/` (`GENERATED_DIR`); Rasa reads the
domain as a folder (Rasa merges every domain file in it) and the data from there plus
`data/stories`. Every path handed to Rasa is relative to the project folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kb.tables import PUBLISHED, Article
from bot.kb.topics import (
    domain_intents,
    intent_for_slug,
    trained_topic_slugs,
    with_topic_intents,
)
from bot.language import DEFAULT_LANGUAGE
from bot.training.examples import examples_yaml, list_examples

GENERATED_DIR = Path("var") / "training"
DOMAIN_DIR = GENERATED_DIR / "domain"  # domain.yml (a copy) and topics.yml
DATA_DIR = GENERATED_DIR / "data"  # filtered NLU files and topics_rules.yml
STORIES_DIR = Path("data") / "stories"
NLU_DIR = Path("data") / "nlu"
# Changes only when the generated data does: `make train` retrains when it is newer.
FINGERPRINT = GENERATED_DIR / "fingerprint"
HEADER = (
    "# Generated when a model is trained (bot/training/training_data.py), from {source}.\n"
    "# Do not edit: change {source} instead.\n"
)
# Intents that are answered by `action_answer_topic` while the trial search is active,
# beside every topic's: the conversation turns, not-understood and short answers.
RESUMING_INTENTS = (
    "nlu_fallback",
    "greet",
    "ask_capabilities",
    "bot_challenge",
    "goodbye",
    "thank",
    "ask_personal_advice",
    "ask_human_handoff",
    "out_of_scope",
    "inform",
)


@dataclass(frozen=True)
class TrainingData:
    """The generated training data: what to hand Rasa, and what it holds."""

    domain: str
    data: tuple[str, ...]
    topic_intents: tuple[str, ...]
    dropped_intents: tuple[str, ...]
    staff_examples: int


def published_slugs(session: Session) -> list[str]:
    """The slugs of every published article (a topic once, whatever its languages)."""
    stmt = select(Article.slug).where(Article.status == PUBLISHED).distinct()
    return list(session.scalars(stmt.order_by(Article.slug)))


def known_intents(session: Session, domain_file: Path) -> list[str] | None:
    """The intents staff may teach or point buttons at: the domain's and every article's.

    An article's intent exists from the moment the article does (even a draft): its
    examples wait in the database until it is published and a model is trained.
    None when there is no domain file.
    """
    slugs = session.scalars(select(Article.slug).distinct().order_by(Article.slug))
    return with_topic_intents(domain_intents(domain_file), slugs)


def generate(session: Session, project: Path, staff_examples_file: Path) -> TrainingData:
    """Write the domain folder, the filtered NLU data and the topics' rules.

    Args:
        session: the knowledge-base database (published articles, staff examples).
        project: the Rasa project folder (`domain.yml`, `data/`).
        staff_examples_file: where the staff examples are written (kept out of the
            copied NLU files when it lies in `data/nlu`).

    Returns:
        The paths to hand Rasa (relative to `project` when inside it) and counts.
    """
    fixed = domain_intents(project / "domain.yml") or []
    topics = [intent_for_slug(s) for s in trained_topic_slugs(published_slugs(session))]
    topics = [i for i in topics if i not in fixed]
    known = {*fixed, *topics}

    _write(project / DOMAIN_DIR / "domain.yml", (project / "domain.yml").read_text("utf-8"))
    _write(project / DOMAIN_DIR / "topics.yml", _domain_topics(topics))

    data = project / DATA_DIR
    staff = staff_examples_file.resolve()
    written = {data / "topics_rules.yml", data / TITLES_FILE}
    dropped: set[str] = set()
    taken: set[str] = set()  # every example already written, whatever its intent
    for path in sorted((project / NLU_DIR).glob("*.yml")):
        if path.resolve() == staff:
            continue
        text, gone = filtered_nlu(path.read_text("utf-8"), known, f"{NLU_DIR / path.name}")
        dropped |= gone
        taken |= _examples_in(text)
        _write(data / path.name, text)
        written.add(data / path.name)
    _write(data / "topics_rules.yml", topics_rules(topics))
    taken |= {e.text.strip().lower() for e in list_examples(session)}
    _write(data / TITLES_FILE, title_examples_yaml(title_examples(session, topics, taken)))
    for stale in set(data.glob("*.yml")) - written:  # a file removed from data/nlu
        stale.unlink()

    examples = [e for e in list_examples(session) if e.intent in known]
    dropped |= {e.intent for e in list_examples(session)} - known
    _write(staff_examples_file, examples_yaml(examples))

    fingerprint = hashlib.sha256()
    for path in sorted([*written, project / DOMAIN_DIR / "topics.yml", staff_examples_file]):
        fingerprint.update(path.read_bytes())
    _write(project / FINGERPRINT, fingerprint.hexdigest() + "\n")

    extra = [] if staff.is_relative_to(data.resolve()) else [_relative(staff, project)]
    return TrainingData(
        domain=str(DOMAIN_DIR),
        data=(str(DATA_DIR), str(STORIES_DIR), *extra),
        topic_intents=tuple(topics),
        dropped_intents=tuple(sorted(dropped)),
        staff_examples=len(examples),
    )


TITLES_FILE = "topics_titles.yml"


def title_examples(
    session: Session, intents: Iterable[str], taken: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Intent -> the titles of its topic's published translations, as examples.

    English titles are left out (the English examples in `data/nlu` already teach the
    topics); a title that is already an example, of any intent, or that two topics
    share, is left out too, so no example is labelled twice.
    """
    wanted = set(intents)
    stmt = select(Article.slug, Article.title).where(
        Article.status == PUBLISHED, Article.language != DEFAULT_LANGUAGE
    )
    by_text: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for slug, title in session.execute(stmt.order_by(Article.slug, Article.language)):
        intent = intent_for_slug(slug)
        text = " ".join(str(title or "").split())
        if intent in wanted and text:
            by_text.setdefault(text.lower(), set()).add(intent)
            titles.setdefault(text.lower(), text)
    skip = {t.strip().lower() for t in taken}
    examples: dict[str, list[str]] = {}
    for key, intents_of in sorted(by_text.items()):
        if len(intents_of) == 1 and key not in skip:
            examples.setdefault(next(iter(intents_of)), []).append(titles[key])
    return examples


def title_examples_yaml(examples: Mapping[str, Iterable[str]]) -> str:
    """The title examples as Rasa NLU YAML."""
    nlu = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in sorted(examples.items())
    ]
    header = HEADER.format(source="the published translations' titles in the database")
    return header + _dump({"version": "3.1", "nlu": nlu})


def _examples_in(text: str) -> set[str]:
    """The lowercased examples of an NLU file's intents."""
    found: set[str] = set()
    for block in (yaml.safe_load(text) or {}).get("nlu") or []:
        if block.get("intent") is not None:
            for line in str(block.get("examples") or "").splitlines():
                example = line.strip().removeprefix("- ").strip()
                if example:
                    found.add(example.lower())
    return found


def filtered_nlu(text: str, known: Iterable[str], source: str) -> tuple[str, set[str]]:
    """An NLU file without the examples of intents outside `known`; and those intents.

    Synonyms, lookup tables and regexes are kept as they are.
    """
    document = yaml.safe_load(text) or {}
    known = set(known)
    kept: list[Mapping[str, Any]] = []
    dropped: set[str] = set()
    for block in document.get("nlu") or []:
        intent = block.get("intent")
        if intent is not None and intent not in known:
            dropped.add(str(intent))
        else:
            kept.append(block)
    document["nlu"] = kept
    return HEADER.format(source=source) + _dump(document), dropped


def _domain_topics(intents: Iterable[str]) -> str:
    header = HEADER.format(source="the published articles in the database")
    return header + _dump({"version": "3.1", "intents": list(intents)})


def topics_rules(intents: Iterable[str]) -> str:
    """A rule per topic intent, and the rule that resumes the trial search after one."""
    intents = list(intents)
    rules: list[dict[str, Any]] = [
        {
            "rule": f"answer {intent}",
            "steps": [{"intent": intent}, {"action": "action_answer_topic"}],
        }
        for intent in intents
    ]
    rules.append(
        {
            "rule": "a question is answered, then the trial search resumes",
            "condition": [{"active_loop": "trial_search_form"}],
            "steps": [
                {"or": [{"intent": i} for i in (*RESUMING_INTENTS, *intents)]},
                {"action": "action_answer_topic"},
                {"action": "trial_search_form"},
                {"active_loop": "trial_search_form"},
            ],
        }
    )
    header = HEADER.format(source="the published articles in the database")
    return header + _dump({"version": "3.1", "rules": rules})


def _dump(document: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(document), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=1000
    )


def _write(path: Path, text: str) -> None:
    """Write `text` unless the file already holds it (its time then tells make nothing changed)."""
    if path.is_file() and path.read_text("utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _relative(path: Path, project: Path) -> str:
    resolved = project.resolve()
    return str(path.relative_to(resolved)) if path.is_relative_to(resolved) else str(path)


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (example lists) as `|` blocks, as Rasa's files are."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)
