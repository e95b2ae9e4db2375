"""What every answering action shares: the store, reading entities, sending an answer."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.domain_names import SLOT_KB_ARTICLE, SLOT_LANGUAGE
from bot.kb.answers import LANGUAGE_KEY, Answer, to_message
from bot.kb.store import ArticleStore
from bot.language import DEFAULT_LANGUAGE, as_language, detect_language
from bot.nlu.decision import Thresholds, thresholds_from_config
from bot.privacy import conversation_ref
from bot.settings import Settings
from bot.training.rasa_commands import CONFIG

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def decision_thresholds() -> Thresholds:
    """The answer thresholds of the deployed config (the FallbackClassifier's)."""
    return thresholds_from_config(Settings.from_env().project_dir / CONFIG)


@lru_cache(maxsize=1)
def _secret_key() -> str:
    return Settings.from_env().secret_key


def log_ref(tracker: Tracker) -> str:
    """The conversation as logs name it: a keyed reference, never the id itself."""
    return conversation_ref(str(tracker.sender_id), _secret_key())


@lru_cache(maxsize=1)
def default_store() -> ArticleStore:
    """The process's store; fails at action-server start if the database is not ready."""
    return ArticleStore.from_settings(Settings.from_env())


def chosen_language(tracker: Tracker) -> str | None:
    """The language the conversation has chosen, or None while nothing says.

    The latest message's metadata wins, because it is the page's switch, which the
    reader may just have used; else slot `language`; else, while the slot is empty,
    the language detected in the latest message (the first one that is clear enough:
    "ok" or a drug name alone leaves the choice to the next message).
    """
    latest = tracker.latest_message or {}
    metadata = latest.get("metadata") or {}
    slot = as_language(tracker.get_slot(SLOT_LANGUAGE))
    found = as_language(metadata.get("language")) if isinstance(metadata, dict) else None
    if found or slot:
        return found or slot
    text = str(latest.get("text") or "")
    return None if text.lstrip().startswith("/") else detect_language(text)  # a button


def conversation_language(tracker: Tracker) -> str:
    """The language to answer in: the chosen one (see `chosen_language`), else the default."""
    return chosen_language(tracker) or DEFAULT_LANGUAGE


def language_events(tracker: Tracker) -> list[dict[str, Any]]:
    """Set slot `language` when this turn chose another one, so the conversation keeps it."""
    language = chosen_language(tracker)
    if language is None or language == as_language(tracker.get_slot(SLOT_LANGUAGE)):
        return []
    return [SlotSet(SLOT_LANGUAGE, language)]


def mentioned_slugs(
    tracker: Tracker, store: ArticleStore, language: str = DEFAULT_LANGUAGE
) -> list[str]:
    """Slugs that the latest message's entities point to, in message order.

    The entity finder knows both languages' terms; `language`'s terms are tried first.
    """
    entities = tracker.latest_message.get("entities") or []
    return store.slugs_for_terms((str(e.get("value", "")) for e in entities), language=language)


def utter(dispatcher: CollectingDispatcher, answer: Answer, *, language: str | None = None) -> None:
    """Send `answer`'s text and buttons only (a question, not an article).

    With `language`, the custom JSON names it and nothing else, so a page can follow.
    """
    message = to_message(answer)
    custom = {LANGUAGE_KEY: language} if language else None
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"], json_message=custom)


def send(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer
) -> list[dict[str, Any]]:
    """Send `answer`; return the events that record which article answered, and in what language.

    The custom JSON names the language of the answer's text (`Answer.language`), so a page
    can follow it; slot `language` keeps the conversation's, which may differ when an
    article has no version in it yet.
    """
    message = to_message(answer)
    dispatcher.utter_message(
        text=message["text"], buttons=message["buttons"], json_message=message["custom"]
    )
    events = language_events(tracker)
    if answer.offered:  # nothing answered yet: the slot keeps the last article
        logger.info("conversation %s offered %s", log_ref(tracker), ",".join(answer.offered))
        return events
    logger.info("conversation %s answered with %s", log_ref(tracker), answer.slug)
    return [SlotSet(SLOT_KB_ARTICLE, answer.slug), *events]
