"""The knowledge base on a real PostgreSQL server, started here on loopback."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.db import check_schema, make_engine, make_session_factory, upgrade
from bot.kb.files import KnowledgeBase, read_kb
from bot.kb.store import ArticleStore, export_articles, load_articles
from bot.kb.tables import Article
from bot.trials.ctgov_import import import_studies
from bot.trials.finder import TrialFinder, tagger_from
from bot.trials.search import TrialQuery
from tests.support.stack import free_port


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None
    )
    assert found, (
        "PostgreSQL server not installed: `make test` installs it (apt-get install postgresql)"
    )
    return found


def _as_server_user(command: list[str]) -> list[str]:
    # initdb refuses to run as root; Debian's package creates the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="pg-") as tmp:
        data = Path(tmp) / "data"
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres")
        subprocess.run(
            _as_server_user([_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "assistant"]),
            check=True,
            capture_output=True,
        )
        port = free_port()
        options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = [_pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", f"{tmp}/log"]
        subprocess.run(
            _as_server_user([*pg_ctl, "-o", options, "start"]), check=True, capture_output=True
        )
        try:
            yield f"postgresql://assistant@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_server_user([*pg_ctl, "-m", "fast", "stop"]), check=False, capture_output=True
            )


def test_migrate_load_answer_edit_and_export_on_postgresql(
    postgres_url: str, starter_kb: KnowledgeBase, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    check_schema(engine)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        assert len(load_articles(session, starter_kb.articles).added) == len(starter_kb.articles)
    store = ArticleStore(factory)
    answer = store.answer_for("checkpoint-inhibitors")
    assert answer.buttons and answer.source_line
    assert store.slugs_for_terms(["Opdivo"]) == ["checkpoint-inhibitors"]
    with factory.begin() as session:
        session.execute(update(Article).where(Article.slug == "thanks").values(answer="Merci."))
    assert store.answer_for("thanks").text == "Merci."
    with factory() as session:
        export_articles(session, tmp_path)
    assert len(read_kb(tmp_path).articles) == len(starter_kb.articles)


def test_import_and_search_trials_on_postgresql(
    postgres_url: str, shipped_studies: list[tuple[str, Any]]
) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)  # the knowledge base is loaded by the test above (module order)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        first = import_studies(session, shipped_studies, tagger_from(session))
    with factory.begin() as session:
        again = import_studies(session, shipped_studies, tagger_from(session))
    assert len(first.added) == 17 and len(again.skipped) == 17
    answer = TrialFinder(factory).results(TrialQuery(cancer="lung cancer", age=60))
    assert "NCT06751849" in answer.text and "NCT03955198" not in answer.text  # completed
