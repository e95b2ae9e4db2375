"""Hospital values an admin saves: one line of plain text, audited."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.hospital import hospital_values
from bot.staff.hospital_settings import HospitalValueError, save_values
from bot.staff.roles import Actor

ADMIN = Actor("alice", "admin")


@pytest.mark.parametrize(
    "value",
    ['01 23"><img src=x onerror=alert(1)>', "<script>alert(1)</script>", "call <!-- --> us"],
)
def test_a_value_holding_html_is_refused_and_nothing_is_saved(
    session_factory: sessionmaker[Session], value: str
) -> None:
    with (
        session_factory.begin() as session,
        pytest.raises(
            HospitalValueError, match="Care-team phone number: write plain text, not HTML"
        ),
    ):
        save_values(session, {"care_team_phone": value}, actor=ADMIN)
    with session_factory() as session:
        assert hospital_values(session) == {}


def test_plain_values_with_angle_brackets_as_text_are_kept(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        saved = save_values(
            session, {"care_team_hours": "Mon-Fri 9-17 (< 5 min wait)"}, actor=ADMIN
        )
    assert saved == ["care_team_hours"]
    with session_factory() as session:
        assert hospital_values(session) == {"care_team_hours": "Mon-Fri 9-17 (< 5 min wait)"}
