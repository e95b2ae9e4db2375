"""The urgent answer's tap-to-call links: 15 and 112 always, the care team once set."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.kb.answers import custom_json, to_message, urgent_fallback
from bot.kb.calls import Call, calls_from_json, care_team_number, urgent_calls
from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.kb.store import ArticleStore
from bot.staff.hospital_settings import save_values
from bot.staff.roles import Actor

EMERGENCY = [
    {"label": "Call 15 (SAMU)", "tel": "15"},
    {"label": "Call 112 (emergency)", "tel": "112"},
]
FICTIONAL = "01 99 00 12 34"  # the 01 99 00 range is kept for fiction in France


def test_the_urgent_answer_carries_15_and_112_and_keeps_them_in_its_words(
    store: ArticleStore,
) -> None:
    message = to_message(store.answer_for("urgent-symptoms"))
    assert message["custom"]["calls"] == EMERGENCY
    assert message["custom"]["urgent"] is True
    assert "15 (SAMU) or 112" in message["text"]  # for channels that show text only


def test_the_care_team_number_comes_first_once_staff_set_it(
    store: ArticleStore, session_factory: sessionmaker[Session]
) -> None:
    with session_factory.begin() as session:
        save_values(
            session, {"care_team_phone": f"{FICTIONAL} (nurses, 9-17 h)"}, actor=Actor.operator()
        )
    custom = custom_json(store.answer_for("urgent-symptoms"))
    assert custom["calls"] == [
        {"label": f"Call your care team: {FICTIONAL}", "tel": "0199001234"},
        *EMERGENCY,
    ]
    assert "calls" in custom_json(store.details_for("urgent-symptoms"))


def test_an_ordinary_answer_has_no_calls(store: ArticleStore) -> None:
    assert "calls" not in custom_json(store.answer_for("car-t-cells"))


def test_the_fallback_without_a_database_still_offers_15_and_112() -> None:
    answer = urgent_fallback({})
    assert custom_json(answer)["calls"] == EMERGENCY
    assert "15 (SAMU) or 112" in answer.text
    assert HOSPITAL_DEFAULTS["care_team_phone"] in answer.text  # the placeholder, no link
    with_team = custom_json(urgent_fallback({"care_team_phone": "+33 1 99 00 12 34"}))
    assert with_team["calls"][0]["tel"] == "+33199001234"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        HOSPITAL_DEFAULTS["care_team_phone"],  # the placeholder, saved as it was
        "ext. 4021",  # not a number from outside
        "+33 (0)1 99 00 12 34",  # "(0)" is not dialled: no link rather than a wrong one
        "15",  # too short for a care-team line
        "0199001234567890123",  # longer than any phone number
    ],
)
def test_no_link_for_a_care_team_value_that_is_not_a_number(value: str | None) -> None:
    assert care_team_number(value) is None
    values = {} if value is None else {"care_team_phone": value}
    assert [c.tel for c in urgent_calls(values)] == ["15", "112"]


@pytest.mark.parametrize(
    ("value", "written", "tel"),
    [
        (FICTIONAL, FICTIONAL, "0199001234"),
        ("01.99.00.12.34", "01.99.00.12.34", "0199001234"),
        ("01-99-00-12-34, day and night", "01-99-00-12-34", "0199001234"),
        ("+33 1 99 00 12 34", "+33 1 99 00 12 34", "+33199001234"),
    ],
)
def test_the_care_team_number_is_read_as_written_and_dialled_as_digits(
    value: str, written: str, tel: str
) -> None:
    assert care_team_number(value) == (written, tel)


def test_only_digits_and_plus_may_follow_tel() -> None:
    raw = [
        {"label": "Call 15 (SAMU)", "tel": "15"},
        {"label": "Call the team", "tel": "+33199001234"},
        {"label": "Script", "tel": "javascript:alert(1)"},
        {"label": "Two", "tel": "15;112"},
        {"label": "Prefixed", "tel": "tel:15"},
        {"label": "Spaces", "tel": "01 99 00 12 34"},
        {"label": "", "tel": "112"},
        {"label": "Number", "tel": 112},
        "Call 15",
    ]
    assert calls_from_json(raw) == [
        Call("Call 15 (SAMU)", "15"),
        Call("Call the team", "+33199001234"),
    ]
    assert calls_from_json({"tel": "15"}) == []
