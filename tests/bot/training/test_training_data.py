"""The training data generated from the articles: a topic comes and goes with its article."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.files import KnowledgeBase
from bot.kb.store import ArticleStore, load_articles
from bot.kb.tables import Article
from bot.kb.topics import REQUIRED_SLUGS
from bot.training.tables import TrainingExample
from bot.training.training_data import DATA_DIR, DOMAIN_DIR, FINGERPRINT, generate, known_intents
from tests.support.stack import copy_project

NEW = "what-to-bring"
INTENT = "ask_what_to_bring"


def _add_topic(session_factory: sessionmaker[Session], starter_kb: KnowledgeBase) -> None:
    """A new published article (a starter's fields under a new slug), with two examples."""
    fields = dict(next(a for a in starter_kb.articles if a["slug"] == "contact-care-team"))
    fields.update(slug=NEW, title="What to bring to your appointments", terms={}, related=[])
    with session_factory.begin() as session:
        load_articles(session, [fields])
        for text in ("what should I bring to my appointment", "which papers do I need"):
            session.add(TrainingExample(text=text, intent=INTENT, added_by="rita"))


def _rules(project: Path) -> list[dict[str, object]]:
    return yaml.safe_load((project / DATA_DIR / "topics_rules.yml").read_text())["rules"]


def _intents(project: Path) -> list[str]:
    return yaml.safe_load((project / DOMAIN_DIR / "topics.yml").read_text())["intents"]


def test_a_published_article_gets_its_intent_rule_and_examples_then_loses_them(
    tmp_path: Path,
    store: ArticleStore,
    session_factory: sessionmaker[Session],
    starter_kb: KnowledgeBase,
) -> None:
    project = copy_project(tmp_path / "project")
    staff_file = project / "data" / "nlu" / "staff_examples.yml"
    _add_topic(session_factory, starter_kb)
    # A developer's examples of the topic too: they follow the article as well.
    (project / "data" / "nlu" / "bring.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_what_to_bring\n  examples: |\n'
        "    - do I bring my carte vitale\n- synonym: carte vitale\n  examples: |\n"
        "    - vitale card\n"
    )

    with session_factory() as session:
        data = generate(session, project, staff_file)
    assert data.domain == str(DOMAIN_DIR)
    assert data.data[:2] == (str(DATA_DIR), "data/stories")
    assert INTENT in data.topic_intents and INTENT in _intents(project)
    assert {"rule": f"answer {INTENT}", "steps": [{"intent": INTENT},
            {"action": "action_answer_topic"}]} in _rules(project)  # fmt: skip
    resume = next(r for r in _rules(project) if str(r["rule"]).startswith("a question"))
    assert {"intent": INTENT} in resume["steps"][0]["or"]  # type: ignore[index]
    assert "- which papers do I need" in staff_file.read_text()
    assert "do I bring my carte vitale" in (project / DATA_DIR / "bring.yml").read_text()
    assert not (project / DATA_DIR / "staff_examples.yml").exists()  # handed over once
    fingerprint = (project / FINGERPRINT).read_text()

    with session_factory.begin() as session:
        session.scalars(select(Article).where(Article.slug == NEW)).one().status = "draft"
        data = generate(session, project, staff_file)
        assert INTENT in (known_intents(session, project / "domain.yml") or [])  # still teachable
    assert INTENT not in _intents(project) and INTENT not in data.topic_intents
    assert not [r for r in _rules(project) if INTENT in str(r)]
    assert INTENT in data.dropped_intents
    assert "which papers" not in staff_file.read_text()
    bring = (project / DATA_DIR / "bring.yml").read_text()
    assert "carte vitale" not in bring.split("synonym")[0] and "vitale card" in bring
    assert (project / FINGERPRINT).read_text() != fingerprint


def test_required_topics_are_trained_even_before_the_database_has_them(
    tmp_path: Path, session: Session
) -> None:
    project = copy_project(tmp_path / "project")
    data = generate(session, project, project / "var" / "staff.yml")
    assert "ask_side_effects_overview" in data.topic_intents
    assert "ask_trial_search" not in data.topic_intents  # written in domain.yml
    assert len(data.topic_intents) == len(REQUIRED_SLUGS) - 10  # conversation + trial search
    assert data.data[-1] == "var/staff.yml"
    assert data.dropped_intents == ()


def test_generating_twice_changes_no_file(tmp_path: Path, store: ArticleStore) -> None:
    project = copy_project(tmp_path / "project")
    with store.session_factory() as session:
        generate(session, project, project / "var" / "staff.yml")
        before = {p: p.stat().st_mtime_ns for p in (project / "var" / "training").rglob("*.yml")}
        generate(session, project, project / "var" / "staff.yml")
    after = {p: p.stat().st_mtime_ns for p in (project / "var" / "training").rglob("*.yml")}
    assert before == after


def test_french_titles_become_examples_of_their_topic_unless_already_taken(
    tmp_path: Path, english_store: ArticleStore, starter_kb: KnowledgeBase
) -> None:
    store = english_store
    project = copy_project(tmp_path / "project")
    english = {a["slug"]: a for a in starter_kb.articles if "language" not in a}
    french = [
        {**english[slug], "language": "fr", "title": title}
        for slug, title in (
            ("car-t-cells", "Les cellules CAR-T"),
            ("cancer-vaccines", "Les vaccins contre le cancer"),
            ("side-effects-overview", "Does immunotherapy have side effects"),  # an example
        )
    ]
    with store.session_factory.begin() as session:
        load_articles(session, french)
    with store.session_factory() as session:
        data = generate(session, project, project / "var" / "staff.yml")
        assert known_intents(session, project / "domain.yml") is not None
    assert len(data.topic_intents) == len(set(data.topic_intents))  # a topic once
    titles = yaml.safe_load((project / DATA_DIR / "topics_titles.yml").read_text())["nlu"]
    assert {b["intent"]: b["examples"] for b in titles} == {
        "ask_cancer_vaccines": "- Les vaccins contre le cancer\n",
        "ask_car_t_cells": "- Les cellules CAR-T\n",
    }
