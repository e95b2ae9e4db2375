"""`python -m bot conversations purge|export|delete` on a real tracker store."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.privacy import conversation_ref
from bot.staff.tracker_store import sender_ids
from tests.support.tracker_store import turn, write_conversation

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")

KEY = "c" * 64
OLD = time.time() - 100 * 24 * 3600


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated knowledge base and a tracker store with one old, one recent conversation."""
    path = tmp_path / "conversations.db"
    write_conversation(path, "old-one", turn("what is immunotherapy", "ask_basics", 0.9, at=OLD))
    write_conversation(path, "new-one", turn("what is CAR-T", "ask_car_t", 0.5, slug="car-t-cells"))
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'kb.db'}")
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    monkeypatch.setenv("SECRET_KEY", KEY)
    assert main(["db", "upgrade"]) == 0
    return url


def test_purge_uses_the_retention_setting(
    store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "365")
    assert main(["conversations", "purge"]) == 0
    assert "Deleted 0 conversation(s)" in capsys.readouterr().out
    assert main(["conversations", "purge", "--days", "90"]) == 0
    out = capsys.readouterr().out
    assert "Deleted 1 conversation(s)" in out and "older than 90 days" in out
    assert set(sender_ids(store)) == {"new-one"}


def test_export_to_stdout_and_to_a_private_file(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    ref = conversation_ref("new-one", KEY)
    assert main(["conversations", "export", "new-one"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["reference"] == ref and document["topics"] == ["car-t-cells"]
    assert document["messages"][0] == {
        "at": document["messages"][0]["at"],
        "from": "person",
        "text": "what is CAR-T",
    }
    out = tmp_path / "export.json"
    assert main(["conversations", "export", ref, "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["messages"] == document["messages"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert ref in capsys.readouterr().out


def test_delete_by_reference_then_nothing_left_to_delete(
    store: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["inbox", "sync"]) == 0  # its unsure answer is copied to the inbox
    assert "1 new messages" in capsys.readouterr().out
    ref = conversation_ref("new-one", KEY)
    assert main(["conversations", "delete", ref]) == 0
    out = capsys.readouterr().out
    assert f"Conversation {ref}: deleted" in out and "and 1 inbox message(s)" in out
    assert set(sender_ids(store)) == {"old-one"}
    assert main(["conversations", "delete", ref]) == 1
    assert "No conversation matches" in capsys.readouterr().err


def test_bad_arguments_get_a_clear_answer(store: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["conversations", "purge", "--days", "0"])
    assert exit_.value.code == 2
    assert "at least 1" in capsys.readouterr().err
    assert main(["conversations", "export", "nobody"]) == 1
    assert "No conversation matches 'nobody'" in capsys.readouterr().err
