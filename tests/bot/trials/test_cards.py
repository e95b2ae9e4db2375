"""Trial results as cards: each field as data, and the same content as text."""

from __future__ import annotations

import datetime as dt

from bot.kb.answers import to_message
from bot.trials.cards import age_words, phase_words, record_age
from bot.trials.finder import TrialFinder
from bot.trials.search import TrialQuery
from bot.trials.tables import Trial

TODAY = dt.date(2026, 11, 29)


def test_each_result_is_a_card_with_every_field_in_the_custom_json(
    trial_finder: TrialFinder,
) -> None:
    message = to_message(trial_finder.results(TrialQuery(cancer="Leukaemia", age=30), 0, TODAY))
    cards = message["custom"]["trials"]
    assert len(cards) == 3
    first = next(c for c in cards if c["nct_id"] == "NCT04789655")
    assert first == {
        "nct_id": "NCT04789655",
        "title": first["title"],
        "phase": "Phase 1 (first tests in people, for safety and dose)",
        "open": True,
        "status": "Yes, it is looking for people to join.",
        "note": None,
        "where": first["where"],
        "ages": "18 and over",
        "url": "https://clinicaltrials.gov/study/NCT04789655",
        "updated_on": "2023-09-28",
        "record": (
            "Last updated 28 September 2023 (3 years ago). "
            "Its status may have changed: check the trial's page."
        ),
    }
    assert first["title"] and first["where"].startswith("France (")
    assert message["custom"]["kb_article"] == "trial-search"


def test_the_text_holds_one_block_per_card_with_the_same_content(
    trial_finder: TrialFinder,
) -> None:
    message = to_message(trial_finder.results(TrialQuery(cancer="Lung cancer", age=75), 0, TODAY))
    paragraphs = message["text"].split("\n\n")
    [card] = message["custom"]["trials"]
    [block] = [p for p in paragraphs if card["url"] in p]
    assert block.splitlines() == [
        f"1. {card['title']}",
        f"{card['phase']}." if card["phase"] else block.splitlines()[1],
        f"Open to new patients: {card['status']}",
        card["note"],
        f"Where: {card['where']}.",
        f"Ages: {card['ages']}.",
        f"See the trial: {card['url']}",
        card["record"],
    ]
    assert card["note"] == "It is open to many kinds of solid tumour."
    assert paragraphs.index(block) == 1  # after the intro, before what was left out


def test_a_trial_not_yet_open_says_so_and_no_match_has_no_cards(
    trial_finder: TrialFinder,
) -> None:
    answer = to_message(trial_finder.results(TrialQuery(cancer="Bladder cancer", age=60), 0, TODAY))
    statuses = {(c["open"], c["status"]) for c in answer["custom"]["trials"]}
    assert (False, "Not yet, it will look for people soon.") in statuses
    none = to_message(trial_finder.results(TrialQuery(cancer="Lymphoma", age=50), 0, TODAY))
    assert "trials" not in none["custom"]


def test_phase_ages_and_dates_in_plain_words() -> None:
    assert phase_words(["PHASE1", "PHASE2"]) == (
        "Phase 1/2 (first tests in people, for safety and dose, then tests how well it works)"
    )
    assert phase_words(["NA"]) is None
    trial = Trial(
        minimum_age="18 Years",
        minimum_age_years=18.0,
        maximum_age="75 Years",
        maximum_age_years=75.0,
        sex="FEMALE",
        last_update=None,
        data_date=dt.date(2026, 11, 2),
    )
    assert age_words(trial) == "18 to 75, women only"
    assert record_age(trial, TODAY).startswith("Record from 2 November 2026 (this month).")
    trial.data_date = None
    assert record_age(trial, TODAY).startswith("The record has no date")
