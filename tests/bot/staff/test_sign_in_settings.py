"""The staff sign-in settings (STAFF_IDLE_MINUTES), read from a mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_the_idle_timeout_is_30_minutes_unless_set(tmp_path: Path) -> None:
    env = {"SECRET_KEY": "k" * 64}
    assert Settings.from_env(env, root=tmp_path).staff_idle_minutes == 30
    set_ = Settings.from_env({**env, "STAFF_IDLE_MINUTES": " 15 "}, root=tmp_path)
    assert set_.staff_idle_minutes == 15


@pytest.mark.parametrize("value", ["0", "601", "-5", "half an hour", "1.5", ""])
def test_an_unusable_idle_timeout_is_refused_with_the_variable_name(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(SettingsError, match="STAFF_IDLE_MINUTES must be a whole number"):
        Settings.from_env({"SECRET_KEY": "k" * 64, "STAFF_IDLE_MINUTES": value}, root=tmp_path)
