"""`kb check`, `kb load` and `kb export` with the French versions in `fr/`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db import make_engine, make_session_factory
from bot.kb.tables import Article
from tests.support.bilingual_kb import write_bilingual_kb


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def count(url: str, language: str) -> int:
    with make_session_factory(make_engine(url))() as session:
        stmt = select(func.count()).select_from(Article).where(Article.language == language)
        return session.scalar(stmt)


def test_check_load_and_export_both_languages(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    kb = write_bilingual_kb(tmp_path / "kb")
    assert main(["kb", "check", str(kb)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "INFO fr/car-t-cells: published, awaits clinical sign-off" in out
    assert main(["db", "upgrade"]) == 0 and main(["kb", "load", str(kb)]) == 0
    english, french = count(env, "en"), count(env, "fr")
    assert english > 40 and french > 40
    (kb / "fr" / "car-t-cells.yml").write_text(
        (kb / "fr" / "car-t-cells.yml").read_text("utf-8").replace("title:", "title: X", 1),
        encoding="utf-8",
    )
    assert main(["kb", "load", str(kb)]) == 0
    assert "kept: fr/car-t-cells" in capsys.readouterr().out
    assert main(["kb", "export", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out" / "fr").glob("*.yml"))) == french
    assert main(["kb", "check", str(tmp_path / "out")]) == 0


def test_check_names_the_french_file_and_the_missing_version(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    kb = write_bilingual_kb(tmp_path / "kb")
    (kb / "fr" / "thanks.yml").unlink()
    (kb / "fr" / "car-t-cells.yml").write_text(
        (kb / "fr" / "car-t-cells.yml").read_text("utf-8") + "group: types\n", encoding="utf-8"
    )
    assert main(["kb", "check", str(kb)]) == 1
    err = capsys.readouterr().err
    assert "thanks.yml [status]: is published but lacks a French version" in err
    assert "fr/car-t-cells.yml:" in err and "[group]: comes from the English file" in err
