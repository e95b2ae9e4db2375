"""Export and import carry the French versions in `fr/`, next to the English files."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.files import read_kb
from bot.kb.store import ArticleStore, get_article, load_articles
from bot.staff.kb_exchange import (
    apply_import,
    entry_name,
    export_zip,
    files_from_dir,
    files_from_zip,
    plan_import,
)
from bot.staff.revisions import revisions
from bot.staff.roles import Actor
from tests.bot.staff.test_kb_exchange import INTENTS, zipped
from tests.support.bilingual_kb import write_bilingual_kb


def test_zip_entries_keep_their_language_folder_only() -> None:
    assert entry_name("kb/car-t-cells.yml") == "car-t-cells.yml"
    assert entry_name("kb/fr/car-t-cells.yml") == "fr/car-t-cells.yml"
    assert entry_name("fr/car-t-cells.yml") == "fr/car-t-cells.yml"
    assert entry_name("en/car-t-cells.yml") == "car-t-cells.yml"
    assert entry_name("de/car-t-cells.yml") == "car-t-cells.yml"


def test_export_then_import_round_trips_both_languages(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    kb = read_kb(write_bilingual_kb(tmp_path / "kb"))
    with session_factory.begin() as session:
        load_articles(session, kb.articles)
    with session_factory() as session:
        files, problems = files_from_zip(export_zip(session))
        assert problems == [] and "fr/car-t-cells.yml" in files and "car-t-cells.yml" in files
        plan = plan_import(session, files, INTENTS)
    assert plan.problems == [] and not plan.has_changes
    assert "fr/car-t-cells" in plan.unchanged and "car-t-cells" in plan.unchanged
    assert set(files_from_dir(tmp_path / "kb")) == set(files)


def test_a_changed_french_version_is_applied_without_touching_the_english_one(
    english_store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    store = english_store
    english = yaml.safe_load(files_from_zip(export_zip(session_factory()))[0]["car-t-cells.yml"])
    french = {k: v for k, v in english.items() if k not in ("group", "related", "details")} | {
        "title": "Les cellules CAR-T",
        "answer": "Vos cellules de défense, changées.",
        "terms": {},
    }
    upload = files_from_zip(zipped({"kb/fr/car-t-cells.yml": yaml.safe_dump(french).encode()}))[0]
    with session_factory() as session:
        plan = plan_import(session, upload, INTENTS)
    assert plan.problems == [] and [f.get("language") for f in plan.added] == ["fr"]
    assert "related" not in plan.added[0]  # shared with the English version, not its own
    with session_factory.begin() as session:
        apply_import(session, upload, INTENTS, actor=Actor("rita", "reviewer"))
    assert store.answer_for("car-t-cells", language="fr").text == french["answer"]
    assert store.answer_for("car-t-cells").text == english["answer"]
    with session_factory() as session:
        assert revisions(session, "car-t-cells") == []  # the English history is untouched
        french_history = revisions(session, "car-t-cells", language="fr")
        assert [(r.state, r.reason) for r in french_history] == [("published", "Imported")]
        article = get_article(session, "car-t-cells", language="fr")
        assert article is not None and article.group == english["group"]
        assert article.related == english["related"]


def test_a_french_file_without_an_english_article_is_refused(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    text = (
        "slug: no-such-topic\ntitle: Rien\nanswer: Rien.\nsources:\n- name: X\n  url: "
        "https://example.org/\nupdated_on: 2026-11-01\nstatus: draft\n"
    )
    files, _ = files_from_zip(zipped({"fr/no-such-topic.yml": text.encode()}))
    with session_factory.begin() as session:
        plan = apply_import(session, files, INTENTS, actor=Actor("rita", "reviewer"))
    assert [(p.file, "without a usable English file" in p.message) for p in plan.errors] == [
        ("fr/no-such-topic.yml", True)
    ]
    assert not plan.has_changes
