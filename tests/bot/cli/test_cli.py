"""`python -m bot`: check, load (one transaction), export and settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db import make_engine, make_session_factory
from bot.kb.tables import Article
from bot.settings import PROJECT_ROOT


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def count_articles(url: str) -> int:
    with make_session_factory(make_engine(url))() as session:
        return session.scalar(select(func.count()).select_from(Article))


def test_load_before_migrating_is_a_clear_error(env: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["kb", "load"]) == 1
    assert "python -m bot db upgrade" in capsys.readouterr().err


def test_check_then_load_then_load_again(env: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["kb", "check"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert main(["kb", "load"]) == 0
    assert count_articles(env) > 40
    assert main(["kb", "load"]) == 0
    assert "Added 0," in capsys.readouterr().out


def test_one_malformed_file_loads_nothing(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(PROJECT_ROOT / "data" / "kb", kb)
    (kb / "thanks.yml").write_text("slug: thanks\ntitle: 'unclosed\n", encoding="utf-8")
    assert main(["db", "upgrade"]) == 0
    assert main(["kb", "load", str(kb)]) == 1
    err = capsys.readouterr().err
    assert "thanks.yml:" in err and "not valid YAML" in err and "nothing was loaded" in err
    assert count_articles(env) == 0


def test_settings_set_and_list(env: str, capsys: pytest.CaptureFixture) -> None:
    main(["db", "upgrade"])
    assert main(["settings", "care_team_phone", "01 02 03 04 05"]) == 0
    assert "care_team_phone: 01 02 03 04 05" in capsys.readouterr().out
    assert main(["settings", "fax", "1"]) == 2


def test_check_lists_what_awaits_sign_off_from_the_files_then_the_database(
    env: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["kb", "check"]) == 0  # no database file yet: the files are unsigned
    out = capsys.readouterr().out
    assert "INFO car-t-cells: published, awaits clinical sign-off" in out
    assert "in the files (no database: files carry no sign-off)" in out
    assert main(["db", "upgrade"]) == 0 and main(["kb", "load"]) == 0
    assert main(["kb", "signoff", "car-t-cells", "--as", "Dr Martin", "--role", "Oncologist"]) == 0
    assert "Signed off car-t-cells: Dr Martin, Oncologist." in capsys.readouterr().out
    assert main(["kb", "check"]) == 0
    out = capsys.readouterr().out
    assert "INFO car-t-cells:" not in out and "INFO thanks: published" in out
    assert "await clinical sign-off." in out and "in the database" in out
    assert main(["kb", "signoff", "no-such-topic", "--as", "Dr Martin", "--role", "X"]) == 1
    assert "not published" in capsys.readouterr().err
