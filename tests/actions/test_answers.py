"""The custom actions with rasa_sdk's real Tracker and CollectingDispatcher."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.answers import ActionAnswerTopic, ActionFollowUp, ActionTellMeMore, ActionUrgentCare
from actions.common import default_store
from actions.domain_names import ACTIONS, SLOT_KB_ARTICLE
from bot.db import DatabaseNotReady
from bot.kb.store import ArticleStore
from bot.kb.topics import REQUIRED_SLUGS, intent_for_slug, is_generated_topic, slug_for_intent
from bot.privacy import conversation_ref
from bot.settings import PROJECT_ROOT, Settings

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
MakeTracker = Callable[..., Tracker]


def test_names_match_the_domain() -> None:
    assert set(DOMAIN["actions"]) == set(ACTIONS)
    assert SLOT_KB_ARTICLE in DOMAIN["slots"]
    fixed = {intent_for_slug(s) for s in REQUIRED_SLUGS if not is_generated_topic(s)}
    assert fixed - {"nlu_fallback"} <= set(DOMAIN["intents"])
    # A topic's intent is generated from its article when a model is trained.
    asked = [i for i in DOMAIN["intents"] if i.startswith("ask_")]
    assert not [i for i in asked if is_generated_topic(slug_for_intent(i) or "")]


def test_the_action_server_registers_our_actions_on_the_configured_database(
    store: ArticleStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    default_store.cache_clear()
    executor = ActionExecutor()
    executor.register_package("actions")
    default_store.cache_clear()
    assert set(executor.actions) == set(ACTIONS)


def test_the_action_server_refuses_to_start_on_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    default_store.cache_clear()
    with pytest.raises(DatabaseNotReady, match="is empty"):
        ActionExecutor().register_package("actions")
    default_store.cache_clear()


@pytest.mark.parametrize("slug", [s for s in REQUIRED_SLUGS if s != "not-understood"])
def test_every_topic_intent_is_answered_with_its_article(
    slug: str, store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    events = ActionAnswerTopic(store).run(
        dispatcher, make_tracker(intent=intent_for_slug(slug)), {}
    )
    assert events == [SlotSet(SLOT_KB_ARTICLE, slug)]
    [message] = dispatcher.messages
    assert message["text"] == store.answer_for(slug).full_text
    assert message["custom"]["kb_article"] == slug
    assert message["custom"]["urgent"] == (slug == "urgent-symptoms")


def test_buttons_ask_for_related_topics(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    ActionAnswerTopic(store).run(dispatcher, make_tracker(intent="ask_types_overview"), {})
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert "/ask_car_t_cells" in payloads and "/ask_checkpoint_inhibitors" in payloads


def test_fallback_intent_gets_not_understood_with_main_topics(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    events = ActionAnswerTopic(store).run(dispatcher, make_tracker(intent="nlu_fallback"), {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "not-understood")]
    assert len(dispatcher.messages[0]["buttons"]) >= 4


def test_side_effects_question_naming_car_t_is_narrowed(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        intent="ask_side_effects_overview",
        entities=[{"entity": "therapy", "value": "car-t-cells"}],
    )
    assert ActionAnswerTopic(store).run(dispatcher, tracker, {}) == [
        SlotSet(SLOT_KB_ARTICLE, "side-effects-car-t")
    ]


@pytest.mark.parametrize(
    ("last", "entity", "expected"),
    [
        (
            "side-effects-overview",
            {"entity": "therapy", "value": "car-t-cells"},
            "side-effects-car-t",
        ),
        ("side-effects-skin", {"entity": "drug", "value": "Kymriah"}, "side-effects-car-t"),
        ("types-overview", {"entity": "therapy", "value": "cancer-vaccines"}, "cancer-vaccines"),
        (None, {"entity": "therapy", "value": "unknown-thing"}, "not-understood"),
    ],
)
def test_follow_up_uses_the_last_article(
    last: str | None,
    entity: dict[str, str],
    expected: str,
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: MakeTracker,
) -> None:
    tracker = make_tracker(intent="follow_up", entities=[entity], slots={SLOT_KB_ARTICLE: last})
    assert ActionFollowUp(store).run(dispatcher, tracker, {}) == [
        SlotSet(SLOT_KB_ARTICLE, expected)
    ]


def test_tell_me_more_sends_the_details_of_the_last_article(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(intent="tell_me_more", slots={SLOT_KB_ARTICLE: "car-t-cells"})
    assert ActionTellMeMore(store).run(dispatcher, tracker, {}) == [
        SlotSet(SLOT_KB_ARTICLE, "car-t-cells")
    ]
    assert dispatcher.messages[0]["text"] == store.details_for("car-t-cells").full_text


def test_tell_me_more_with_nothing_before_says_what_it_can_do(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(intent="tell_me_more")
    assert ActionTellMeMore(store).run(dispatcher, tracker, {}) == [
        SlotSet(SLOT_KB_ARTICLE, "capabilities")
    ]


def test_urgent_care_is_marked_urgent_and_names_emergency_numbers(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(text="my dad has a fever of 39", intent="report_urgent_symptom")
    assert ActionUrgentCare(store).run(dispatcher, tracker, {}) == [
        SlotSet(SLOT_KB_ARTICLE, "urgent-symptoms")
    ]
    message = dispatcher.messages[0]
    assert message["custom"]["urgent"] is True
    assert "15" in message["text"] and "112" in message["text"]


def test_close_topics_are_offered_as_did_you_mean_buttons_and_the_slot_stays(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    ranking = [
        ("nlu_fallback", 0.6),
        ("ask_side_effects_liver", 0.41),
        ("ask_side_effects_digestive", 0.33),
        ("greet", 0.2),
    ]
    tracker = make_tracker(
        text="tummy and liver thing", intent="nlu_fallback", ranking=ranking,
        slots={SLOT_KB_ARTICLE: "car-t-cells"},
    )  # fmt: skip
    events = ActionAnswerTopic(store).run(dispatcher, tracker, {})
    assert events == []  # kb_article stays on the last article answered
    [message] = dispatcher.messages
    assert message["custom"] == {
        "did_you_mean": ["side-effects-liver", "side-effects-digestive"],
        "urgent": False,
        "language": "en",
    }
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == ["/ask_side_effects_liver", "/ask_side_effects_digestive"]
    assert "Is it one of these?" in message["text"]


def test_a_clicked_suggestion_answers_that_topic(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(text="/ask_side_effects_liver", intent="ask_side_effects_liver")
    events = ActionAnswerTopic(store).run(dispatcher, tracker, {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "side-effects-liver")]


def test_a_message_that_matches_nothing_is_not_understood(
    store: ArticleStore, dispatcher: CollectingDispatcher, make_tracker: MakeTracker
) -> None:
    ranking = [("nlu_fallback", 0.6), ("ask_daily_life", 0.05), ("greet", 0.04)]
    tracker = make_tracker(text="flibber wobble", intent="nlu_fallback", ranking=ranking)
    events = ActionAnswerTopic(store).run(dispatcher, tracker, {})
    assert events == [SlotSet(SLOT_KB_ARTICLE, "not-understood")]
    assert dispatcher.messages[0]["custom"]["kb_article"] == "not-understood"


def test_logs_name_the_conversation_by_its_reference_only(
    store: ArticleStore,
    dispatcher: CollectingDispatcher,
    make_tracker: Callable[..., Tracker],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="actions")
    ActionAnswerTopic(store).run(dispatcher, make_tracker(intent="ask_car_t_cells"), {})
    ref = conversation_ref("test-conversation", Settings.from_env().secret_key)
    assert f"conversation {ref} answered with car-t-cells" in caplog.text
    assert "test-conversation" not in caplog.text
