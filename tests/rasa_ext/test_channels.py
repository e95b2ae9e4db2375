"""The reply of last resort of the guarded REST channel."""

from __future__ import annotations

import pytest

from bot.kb.hospital import HOSPITAL_DEFAULTS
from rasa_ext.channels import fallback_answer


def test_fallback_is_urgent_for_a_warning_sign_and_always_gives_contacts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    urgent = fallback_answer("my dad has a temperature of 39.5")
    assert urgent.urgent and "15" in urgent.text and "112" in urgent.text
    calm = fallback_answer("what is immunotherapy")
    assert not calm.urgent and HOSPITAL_DEFAULTS["care_team_phone"] in calm.text
