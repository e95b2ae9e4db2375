"""`kb signoff --language fr` records the sign-off of the French version only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.db import make_engine, make_session_factory
from bot.kb.store import get_article
from tests.support.bilingual_kb import write_bilingual_kb


def test_the_operator_signs_off_the_french_version_and_the_english_one_still_awaits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    kb = write_bilingual_kb(tmp_path / "kb")
    assert main(["db", "upgrade"]) == 0 and main(["kb", "load", str(kb)]) == 0
    signed = ["kb", "signoff", "car-t-cells", "--as", "Dr Martin", "--role", "Oncologue"]
    assert main([*signed, "--language", "fr"]) == 0
    assert "Signed off fr/car-t-cells: Dr Martin, Oncologue." in capsys.readouterr().out
    with make_session_factory(make_engine(url))() as session:
        assert get_article(session, "car-t-cells", language="fr").signed_off_by == "Dr Martin"
        assert get_article(session, "car-t-cells").signed_off_on is None
    with pytest.raises(SystemExit):
        main([*signed, "--language", "de"])
