"""Conversation references: stable, keyed, short; the key file is private."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.privacy import REF_CHARS, conversation_ref, read_or_create_key


def test_a_reference_is_stable_short_and_depends_on_the_key() -> None:
    ref = conversation_ref("web-0123456789abcdef", "k" * 64)
    assert ref == conversation_ref("web-0123456789abcdef", "k" * 64)
    assert len(ref) == REF_CHARS and "0123456789abcdef" not in ref
    assert ref != conversation_ref("web-0123456789abcdef", "j" * 64)
    assert ref != conversation_ref("web-0123456789abcdee", "k" * 64)


def test_the_key_file_is_created_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    key = read_or_create_key(path)
    assert len(key) == 64 and read_or_create_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
