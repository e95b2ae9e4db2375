"""The web app's shaping of tap-to-call links and trial cards (`web.chat.shape_reply`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.kb.answers import to_message
from bot.kb.store import ArticleStore
from bot.trials.finder import TrialFinder
from bot.trials.search import TrialQuery
from web.chat import shape_reply

CARD = {
    "nct_id": "NCT00000001",
    "title": "A trial",
    "phase": "Phase 2 (tests how well it works)",
    "open": True,
    "status": "Yes, it is looking for people to join.",
    "note": None,
    "where": "France (Paris)",
    "ages": "18 and over",
    "url": "https://clinicaltrials.gov/study/NCT00000001",
    "updated_on": "2024-12-30",
    "record": "Last updated 30 December 2024 (11 months ago).",
}
BLOCK = "1. A trial\nSee the trial: https://clinicaltrials.gov/study/NCT00000001"


def reply(text: str, custom: dict[str, Any]) -> list[dict[str, Any]]:
    """A Rasa REST reply: the text, then its custom JSON."""
    return [{"recipient_id": "x", "text": text}, {"recipient_id": "x", "custom": custom}]


def test_the_urgent_answer_reaches_the_page_with_its_calls(store: ArticleStore) -> None:
    [message] = shape_reply([to_message(store.answer_for("urgent-symptoms"))])
    assert message.urgent is True
    assert [c["tel"] for c in message.calls] == ["15", "112"]
    assert "15 (SAMU) or 112" in message.text


@pytest.mark.parametrize(
    "tel",
    ["javascript:alert(1)", "tel:15", "15;112", "15\n", "01 99 00 12 34", "+", "", "１５", 15],
)
def test_a_call_whose_number_is_not_digits_or_plus_is_dropped(tel: Any) -> None:
    calls = [{"label": "Bad", "tel": tel}, {"label": "Call 112 (emergency)", "tel": "112"}]
    [message] = shape_reply(reply("Get help now.", {"urgent": True, "calls": calls}))
    assert message.calls == [{"label": "Call 112 (emergency)", "tel": "112"}]


def test_a_trial_card_replaces_its_block_and_splits_the_text_around_it() -> None:
    text = f"I found 1 trial.\n\n{BLOCK}\n\nTalk to your doctor.\n\nSource: ClinicalTrials.gov."
    [message] = shape_reply(reply(text, {"kb_article": "trial-search", "trials": [CARD]}))
    assert message.text == "I found 1 trial."
    assert message.trials == [CARD]
    assert message.after_text == "Talk to your doctor."
    assert message.source_line == "Source: ClinicalTrials.gov."


@pytest.mark.parametrize(
    "url",
    [
        "http://clinicaltrials.gov/study/NCT00000001",
        "javascript:alert(1)//https://clinicaltrials.gov/study/NCT00000001",
        "https:///study",
        "https://[::1",
        "https://clinicaltrials.gov/study/NCT00000001 onclick=x",
        None,
    ],
)
def test_a_card_without_an_https_link_is_dropped_and_its_block_stays(url: Any) -> None:
    card = {**CARD, "url": url}
    text = f"I found 1 trial.\n\n{BLOCK}"
    [message] = shape_reply(reply(text, {"trials": [card]}))
    assert message.trials == [] and message.after_text == ""
    assert message.text == text


def test_a_card_missing_a_field_or_with_markup_types_is_dropped() -> None:
    cards = [{**CARD, "title": None}, {**CARD, "where": ["France"]}, "a card", {**CARD, "x": 1}]
    [message] = shape_reply(reply(f"Found.\n\n{BLOCK}", {"trials": cards}))
    assert message.trials == [CARD]  # unknown keys are left out
    assert shape_reply(reply("Found.", {"trials": "not a list"}))[0].trials == []


def test_real_trial_results_become_cards_with_the_intro_before_and_next_steps_after(
    trial_finder: TrialFinder,
) -> None:
    answer = trial_finder.results(TrialQuery(cancer="Leukaemia", age=30), 0, dt.date(2026, 11, 29))
    [message] = shape_reply([to_message(answer)])
    assert len(message.trials) == 3
    assert message.text.startswith("I found 6 trials") and "NCT" not in message.text
    assert "NCT" not in message.after_text
    assert "only the trial team can decide who can join" in message.after_text
    assert all(
        card["url"].startswith("https://clinicaltrials.gov/study/NCT") for card in message.trials
    )
