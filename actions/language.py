"""Switching the conversation's language when the reader asks ("en français svp")."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import conversation_language, log_ref
from actions.domain_names import (
    ACTION_SWITCH_LANGUAGE,
    INTENT_USE_ENGLISH,
    INTENT_USE_FRENCH,
    SLOT_LANGUAGE,
)
from bot.kb.answers import LANGUAGE_KEY, URGENT_KEY

logger = logging.getLogger(__name__)

# The intent that asks for each language (their buttons send exactly "/<intent>").
LANGUAGE_OF_INTENT = {INTENT_USE_ENGLISH: "en", INTENT_USE_FRENCH: "fr"}
# The confirmation, in the language switched to; a button offers the way back.
CONFIRMATION = {
    "en": "OK, I will answer in English from now on. You can change the language at any time.",
    "fr": (
        "D'accord, je vous réponds en français à partir de maintenant. "
        "Vous pouvez changer de langue à tout moment."
    ),
}
# The button back: each language named in itself, so a reader finds their own.
SWITCH_BACK = {
    "en": {"title": "Français", "payload": f"/{INTENT_USE_FRENCH}"},
    "fr": {"title": "English", "payload": f"/{INTENT_USE_ENGLISH}"},
}


class ActionSwitchLanguage(Action):
    """Answer in the language the reader asked for from now on, and say so in it."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return ACTION_SWITCH_LANGUAGE

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Set slot `language` from the intent and confirm in the new language.

        Args:
            dispatcher: where the confirmation goes.
            tracker: the conversation; its latest intent names the language.
            domain: unused.

        Returns:
            The `language` slot event.
        """
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = LANGUAGE_OF_INTENT.get(str(intent)) or conversation_language(tracker)
        dispatcher.utter_message(
            text=CONFIRMATION[language],
            buttons=[SWITCH_BACK[language]],
            json_message={LANGUAGE_KEY: language, URGENT_KEY: False},
        )
        logger.info("conversation %s switched to %s", log_ref(tracker), language)
        return [SlotSet(SLOT_LANGUAGE, language)]
