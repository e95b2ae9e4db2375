"""The conversation's language in the actions: chosen, kept, switched, and named in replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from actions.answers import ActionAnswerTopic, ActionUrgentCare
from actions.common import conversation_language, language_events, utter
from actions.domain_names import SLOT_KB_ARTICLE, SLOT_LANGUAGE
from actions.language import CONFIRMATION, ActionSwitchLanguage
from bot.kb.answers import Answer
from bot.kb.files import KnowledgeBase
from bot.kb.store import ArticleStore, load_articles
from bot.language import detect_language
from bot.settings import PROJECT_ROOT

MakeTracker = Callable[..., Tracker]


def _tracker(
    make_tracker: MakeTracker, metadata: dict[str, Any] | None = None, **kwargs: Any
) -> Tracker:
    tracker = make_tracker(**kwargs)
    if metadata is not None:
        tracker.latest_message["metadata"] = metadata
    return tracker


@pytest.mark.parametrize(
    ("text", "slot", "metadata", "expected", "events"),
    [
        # The first message's language is detected and kept.
        ("mon pere a de la fievre", None, None, "fr", [SlotSet(SLOT_LANGUAGE, "fr")]),
        ("my dad has a fever", None, None, "en", [SlotSet(SLOT_LANGUAGE, "en")]),
        # Unsure: the default, and the slot stays empty so the next message decides.
        ("ok", None, None, "en", []),
        ("keytruda", None, None, "en", []),
        # A button payload is no evidence.
        ("/ask_car_t_cells", None, None, "en", []),
        # Once chosen, the slot wins over what a message looks like.
        ("what about CAR-T cells?", "fr", None, "fr", []),
        ("merci beaucoup", "en", None, "en", []),
        # The page's switch (metadata) wins over the slot and over detection.
        ("what is immunotherapy", None, {"language": "fr"}, "fr", [SlotSet(SLOT_LANGUAGE, "fr")]),
        ("what is immunotherapy", "en", {"language": "fr"}, "fr", [SlotSet(SLOT_LANGUAGE, "fr")]),
        ("c'est quoi l'immuno", "fr", {"language": "en"}, "en", [SlotSet(SLOT_LANGUAGE, "en")]),
        ("c'est quoi l'immunothérapie", "fr", {"language": "fr"}, "fr", []),
        # Metadata that names no language we speak is ignored.
        ("c'est quoi l'immuno", None, {"language": "de"}, "fr", [SlotSet(SLOT_LANGUAGE, "fr")]),
    ],
)  # fmt: skip
def test_the_language_is_metadata_else_slot_else_detected(
    text: str,
    slot: str | None,
    metadata: dict[str, Any] | None,
    expected: str,
    events: list[dict[str, Any]],
    make_tracker: MakeTracker,
) -> None:
    slots = {SLOT_LANGUAGE: slot} if slot else {}
    tracker = _tracker(make_tracker, metadata, text=text, slots=slots)
    assert conversation_language(tracker) == expected
    assert language_events(tracker) == events


FRENCH = {
    "car-t-cells": ("Les cellules CAR-T", "Les cellules CAR-T sont vos propres cellules."),
    "urgent-symptoms": ("Signes d'alerte", "Appelez tout de suite le 15 (SAMU) ou le 112."),
    "personal-advice": ("Conseil personnel", "Je ne peux pas donner de conseil personnel."),
}


@pytest.fixture
def fr_store(session_factory: sessionmaker[Session], starter_kb: KnowledgeBase) -> ArticleStore:
    """The English starter articles, and a French version of three of them only."""
    english = {a["slug"]: a for a in starter_kb.articles if "language" not in a}
    versions = [
        {**english[slug], "language": "fr", "title": title, "answer": answer, "details": None}
        for slug, (title, answer) in FRENCH.items()
    ]
    with session_factory.begin() as session:
        load_articles(session, [*english.values(), *versions])
    return ArticleStore(session_factory)


def test_an_answer_is_in_the_detected_language_which_the_conversation_keeps(
    fr_store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(text="c'est quoi les CAR-T ?", intent="ask_car_t_cells")
    events = ActionAnswerTopic(fr_store).run(dispatcher, tracker, {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "car-t-cells"), SlotSet(SLOT_LANGUAGE, "fr")]
    [message] = dispatcher.messages
    assert message["custom"]["language"] == "fr"
    assert message["text"] == fr_store.answer_for("car-t-cells", language="fr").full_text
    assert message["text"].startswith(FRENCH["car-t-cells"][1])


def test_without_a_french_version_the_english_one_answers_and_says_so(
    fr_store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        text="et la fatigue ?", intent="ask_side_effects_fatigue", slots={SLOT_LANGUAGE: "fr"}
    )
    assert ActionAnswerTopic(fr_store).run(dispatcher, tracker, {}) == [
        SlotSet(SLOT_KB_ARTICLE, "side-effects-fatigue")
    ]
    [message] = dispatcher.messages
    assert message["custom"]["language"] == "en"  # the language of the text sent
    assert message["text"] == fr_store.answer_for("side-effects-fatigue").full_text


def test_personal_advice_is_answered_in_french(
    fr_store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        text="est-ce que je dois arrêter mon traitement ?", intent="ask_personal_advice"
    )
    ActionAnswerTopic(fr_store).run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["custom"] == {**message["custom"], "kb_article": "personal-advice"}
    assert message["text"].startswith(FRENCH["personal-advice"][1])


def test_the_urgent_answer_follows_the_metadata_language(
    fr_store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = _tracker(
        make_tracker,
        {"language": "fr"},
        text="my dad has a fever of 39",
        intent="report_urgent_symptom",
        slots={SLOT_LANGUAGE: "en"},
    )
    events = ActionUrgentCare(fr_store).run(dispatcher, tracker, {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "urgent-symptoms"), SlotSet(SLOT_LANGUAGE, "fr")]
    [message] = dispatcher.messages
    assert message["custom"]["language"] == "fr" and message["custom"]["urgent"] is True
    assert message["text"].startswith(FRENCH["urgent-symptoms"][1])


@pytest.mark.parametrize(
    ("intent", "slot", "language"),
    [("use_french", "en", "fr"), ("use_english", "fr", "en"), ("use_french", None, "fr")],
)
def test_asking_switches_the_language_and_confirms_in_it(
    intent: str,
    slot: str | None,
    language: str,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    slots = {SLOT_LANGUAGE: slot} if slot else {}
    # Metadata from the page says the old language: the explicit request still wins.
    tracker = _tracker(
        make_tracker, {"language": slot or "en"}, text="x", intent=intent, slots=slots
    )
    events = ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert events == [SlotSet(SLOT_LANGUAGE, language)]
    [message] = dispatcher.messages
    assert message["text"] == CONFIRMATION[language]
    assert message["custom"] == {"language": language, "urgent": False}
    other = {"fr": "/use_english", "en": "/use_french"}[language]
    assert [b["payload"] for b in message["buttons"]] == [other]


def test_both_confirmations_are_written() -> None:
    assert set(CONFIRMATION) == {"en", "fr"}
    assert "français" in CONFIRMATION["fr"] and "English" in CONFIRMATION["en"]


def test_a_question_names_its_language_when_given(dispatcher: CollectingDispatcher) -> None:
    utter(dispatcher, Answer(slug="trial-search", text="Quel âge a la personne ?"), language="fr")
    utter(dispatcher, Answer(slug="trial-search", text="How old is the person?"))
    assert [m["custom"] for m in dispatcher.messages] == [{"language": "fr"}, {}]


def test_each_language_intent_has_25_examples_in_both_languages() -> None:
    nlu = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "language.yml").read_text("utf-8"))
    for item in nlu["nlu"]:
        examples = [e[2:] for e in item["examples"].splitlines() if e.startswith("- ")]
        found = [detect_language(e) for e in examples]
        assert len(examples) >= 25, item["intent"]
        assert found.count("fr") >= 8 and found.count("en") >= 8, (item["intent"], found)
    assert {item["intent"] for item in nlu["nlu"]} == {"use_french", "use_english"}
