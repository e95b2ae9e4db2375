"""The trial finder's actions with rasa_sdk's real Tracker and CollectingDispatcher."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.domain_names import SLOT_KB_ARTICLE, SLOT_TRIAL_OFFSET, TRIAL_FORM
from actions.trials import (
    ActionAskCancerType,
    ActionAskTrialPlace,
    ActionReadTrialAnswers,
    ActionShowTrials,
    ActionStartTrialSearch,
    ActionStopTrialSearch,
    ValidateTrialSearchForm,
)
from bot.kb.store import ArticleStore
from bot.trials.finder import TrialFinder

MakeTracker = Callable[..., Tracker]


def tracker_in_form(text: str, intent: str, slots: dict[str, Any]) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "t",
            "slots": slots,
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": TRIAL_FORM},
            "latest_action_name": "action_listen",
        }
    )


def test_starting_a_search_sends_the_article_and_forgets_the_old_search(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    tracker = make_tracker(intent="ask_trial_search", slots={"age": 40.0})
    events = ActionStartTrialSearch(trial_finder, store).run(dispatcher, tracker, {})
    assert SlotSet(SLOT_KB_ARTICLE, "trial-search") in events
    assert SlotSet("age", None) in events and SlotSet("cancer_type", None) in events
    assert SlotSet(SLOT_TRIAL_OFFSET, None) in events
    assert events[-2:] == [ActiveLoop(None), SlotSet("requested_slot", None)]  # starts afresh
    assert "ClinicalTrials.gov" in dispatcher.messages[0]["text"]


def test_the_first_message_fills_every_slot_it_gives(
    trial_finder: TrialFinder, store: ArticleStore, dispatcher: CollectingDispatcher
) -> None:
    tracker = tracker_in_form(
        "trials for lung cancer for my 60 year old dad", "ask_trial_search", {}
    )
    events = ActionReadTrialAnswers(trial_finder, store).run(dispatcher, tracker, {})
    assert events == [
        SlotSet("cancer_type", "Lung cancer"),
        SlotSet("age", 60.0),
        SlotSet("person_sex", "MALE"),
    ]
    assert dispatcher.messages == []


def test_a_correction_is_read(
    trial_finder: TrialFinder, store: ArticleStore, dispatcher: CollectingDispatcher
) -> None:
    slots = {"cancer_type": "Lung cancer", "age": 60.0, "requested_slot": "therapy_kind"}
    tracker = tracker_in_form("actually he is 58", "inform", slots)
    events = ActionReadTrialAnswers(trial_finder, store).run(dispatcher, tracker, {})
    assert SlotSet("age", 58.0) in events


def _with_age_events(*values: Any) -> Tracker:
    events = [{"event": "slot", "name": "age", "value": v} for v in values]
    return Tracker("t", {"age": values[-1]}, {}, events, False, None, {}, "trial_search_form")


@pytest.mark.parametrize("earlier, said", [
    ((60.0, 58.0, 58.0), "OK, I changed the age to 58."),  # a correction
    ((None, 58.0), None),  # the first answer
    ((70.0, None, 58.0), None),  # a new search forgot the old age
    (("skip", 58.0), None),  # skipped, then answered
])  # fmt: skip
def test_a_correction_is_confirmed_once_validated(
    dispatcher: CollectingDispatcher, earlier: tuple[Any, ...], said: str | None
) -> None:
    result = ValidateTrialSearchForm().validate_age(
        58.0, dispatcher, _with_age_events(*earlier), {}
    )
    assert result == {"age": 58.0}
    assert [m["text"] for m in dispatcher.messages] == ([said] if said else [])


@pytest.mark.parametrize("intent", ["report_urgent_symptom", "stop"])
def test_a_warning_sign_or_stop_fills_nothing_so_the_rules_answer_it(
    trial_finder: TrialFinder, store: ArticleStore, dispatcher: CollectingDispatcher, intent: str
) -> None:
    tracker = tracker_in_form("he is 60 and has a fever of 39", intent, {"requested_slot": "age"})
    assert ActionReadTrialAnswers(trial_finder, store).run(dispatcher, tracker, {}) == []


@pytest.mark.parametrize("value, expected, said", [
    (58.0, 58.0, None),
    ("skip", None, "I need the age, because trials have age limits."),
    (430.0, None, "Please type the age in years"),
    ("old", None, "Please type the age in years"),
])  # fmt: skip
def test_age_validation_explains_what_is_needed(
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
    value: Any,
    expected: Any,
    said: str | None,
) -> None:
    result = ValidateTrialSearchForm().validate_age(value, dispatcher, make_tracker(), {})
    assert result == {"age": expected}
    texts = [m["text"] for m in dispatcher.messages]
    assert (texts == []) if said is None else texts[0].startswith(said)


def test_skipping_the_cancer_type_is_explained(
    dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    result = ValidateTrialSearchForm().validate_cancer_type("skip", dispatcher, make_tracker(), {})
    assert result == {"cancer_type": None}
    assert "each trial is for certain cancers" in dispatcher.messages[0]["text"]


def test_questions_come_with_buttons(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    ActionAskCancerType(trial_finder, store).run(dispatcher, make_tracker(), {})
    ActionAskTrialPlace(trial_finder, store).run(dispatcher, make_tracker(), {})
    cancer, place = dispatcher.messages
    assert cancer["text"].startswith("What type of cancer is it?")
    assert {"title": "Lung cancer", "payload": "Lung cancer"} in cancer["buttons"]
    assert [b["payload"] for b in place["buttons"]] == [
        "at this hospital",
        "France",
        "anywhere",
        "/stop",
    ]


def test_results_name_the_trials_set_the_article_and_page_on(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    slots = {
        "cancer_type": "Leukaemia",
        "age": 30.0,
        "therapy_kind": "any",
        "trial_place": "anywhere",
    }
    action = ActionShowTrials(trial_finder, store)
    events = action.run(dispatcher, make_tracker(slots=slots), {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "trial-search"), SlotSet(SLOT_TRIAL_OFFSET, 3)]
    first = set(re.findall(r"NCT\d{8}", dispatcher.messages[0]["text"]))
    assert len(first) == 3
    assert dispatcher.messages[0]["custom"]["kb_article"] == "trial-search"
    more = CollectingDispatcher()
    action.run(more, make_tracker(slots={**slots, SLOT_TRIAL_OFFSET: 3}), {})
    assert first.isdisjoint(re.findall(r"NCT\d{8}", more.messages[0]["text"]))


def test_more_trials_before_any_search_explains_the_search(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    events = ActionShowTrials(trial_finder, store).run(dispatcher, make_tracker(), {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "trial-search")]
    assert "I can help you look for clinical trials" in dispatcher.messages[0]["text"]


def test_stop_ends_an_active_search_and_outside_one_says_what_else_it_can_do(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    action = ActionStopTrialSearch(trial_finder, store)
    events = action.run(dispatcher, tracker_in_form("stop", "stop", {}), {})
    assert events == [
        SlotSet(SLOT_KB_ARTICLE, "trial-search"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
    ]
    assert dispatcher.messages[0]["text"].startswith("OK, I stopped the trial search.")
    outside = CollectingDispatcher()
    events = action.run(outside, make_tracker(intent="stop"), {})
    assert events[0] == SlotSet(SLOT_KB_ARTICLE, "capabilities")
    assert outside.messages[0]["text"] == store.answer_for("capabilities").full_text


# The same actions in a French conversation (slot `language`, or the message's metadata).


def test_the_first_french_message_fills_the_same_slots_as_in_english(
    trial_finder: TrialFinder, store: ArticleStore, dispatcher: CollectingDispatcher
) -> None:
    text = "des essais pour un cancer du poumon pour mon père de 60 ans"
    tracker = tracker_in_form(text, "ask_trial_search", {"language": "fr"})
    events = ActionReadTrialAnswers(trial_finder, store).run(dispatcher, tracker, {})
    assert events == [
        SlotSet("cancer_type", "Lung cancer"),
        SlotSet("age", 60.0),
        SlotSet("person_sex", "MALE"),
    ]


def test_questions_are_asked_in_french_with_the_same_payloads(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    french = make_tracker(slots={"language": "fr"})
    ActionAskCancerType(trial_finder, store).run(dispatcher, french, {})
    ActionAskTrialPlace(trial_finder, store).run(dispatcher, french, {})
    cancer, place = dispatcher.messages
    assert cancer["text"].startswith("De quel type de cancer s'agit-il ?")
    assert {"title": "Cancer du poumon", "payload": "Lung cancer"} in cancer["buttons"]
    assert [b["payload"] for b in place["buttons"]] == [
        "at this hospital",
        "France",
        "anywhere",
        "/stop",
    ]
    assert place["buttons"][-1]["title"] == "Arrêter la recherche"


def test_explanations_and_corrections_are_said_in_french(
    dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    form = ValidateTrialSearchForm()
    french = make_tracker(slots={"language": "fr"})
    assert form.validate_age("skip", dispatcher, french, {}) == {"age": None}
    assert form.validate_age(430.0, dispatcher, french, {}) == {"age": None}
    assert form.validate_cancer_type("skip", dispatcher, french, {}) == {"cancer_type": None}
    tracker = _with_age_events(60.0, 58.0)
    tracker.slots["language"] = "fr"
    assert form.validate_age(58.0, dispatcher, tracker, {}) == {"age": 58.0}
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[0].startswith("J'ai besoin de l'âge, car les essais ont des limites d'âge.")
    assert texts[1].startswith("Écrivez l'âge en années")
    assert texts[2].startswith("J'ai besoin du type de cancer")
    assert texts[3] == "D'accord, j'ai changé l'âge : 58 ans."


def test_french_results_show_the_same_trials_and_say_their_language(
    trial_finder: TrialFinder, store: ArticleStore, make_tracker: MakeTracker
) -> None:
    slots = {"cancer_type": "Leukaemia", "age": 30.0}
    messages = []
    for language in ("en", "fr"):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(slots={**slots, "language": language})
        ActionShowTrials(trial_finder, store).run(dispatcher, tracker, {})
        messages.append(dispatcher.messages[0])
    english, french = messages
    assert french["text"].startswith("J'ai trouvé 6 essais dans notre liste")
    assert re.findall(r"NCT\d{8}", french["text"]) == re.findall(r"NCT\d{8}", english["text"])
    assert french["custom"]["language"] == "fr" and english["custom"]["language"] == "en"


def test_the_messages_language_wins_over_the_slot(
    trial_finder: TrialFinder, store: ArticleStore, dispatcher: CollectingDispatcher
) -> None:
    tracker = tracker_in_form("stop", "stop", {"language": "en"})
    tracker.latest_message["metadata"] = {"language": "fr"}
    ActionStopTrialSearch(trial_finder, store).run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("D'accord, j'ai arrêté la recherche d'essais.")
    assert dispatcher.messages[0]["custom"]["language"] == "fr"


def test_a_french_search_starts_and_stops_with_the_french_articles(
    trial_finder: TrialFinder,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    french = make_tracker(intent="ask_trial_search", slots={"language": "fr"})
    ActionStartTrialSearch(trial_finder, store).run(dispatcher, french, {})
    ActionShowTrials(trial_finder, store).run(dispatcher, french, {})  # "more" before a search
    ActionStopTrialSearch(trial_finder, store).run(dispatcher, french, {})  # outside a search
    start, more, outside = dispatcher.messages
    assert start["text"] == store.answer_for("trial-search", language="fr").full_text
    assert start["text"].startswith("Je peux vous aider à chercher des essais cliniques")
    assert more["text"] == start["text"]
    assert outside["text"] == store.answer_for("capabilities", language="fr").full_text
    assert {m["custom"]["language"] for m in dispatcher.messages} == {"fr"}
