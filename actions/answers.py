"""The actions that answer from the knowledge base: each one only chooses the answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    conversation_language,
    decision_thresholds,
    default_store,
    mentioned_slugs,
    send,
)
from actions.domain_names import (
    ACTION_ANSWER_TOPIC,
    ACTION_FOLLOW_UP,
    ACTION_TELL_ME_MORE,
    ACTION_URGENT_CARE,
    SLOT_KB_ARTICLE,
)
from bot.kb.answers import Answer
from bot.kb.followups import follow_up, refine
from bot.kb.store import ArticleStore
from bot.kb.topics import (
    CAPABILITIES_SLUG,
    NLU_FALLBACK_INTENT,
    NOT_UNDERSTOOD_SLUG,
    URGENT_SLUG,
    slug_for_intent,
)
from bot.nlu.decision import classifier_ranking, decide, has_words


class KnowledgeAction(Action, ABC):
    """An action that sends one knowledge-base answer and records its slug.

    Abstract, so the action server does not register it on its own.

    Args:
        store: where answers come from; by default the configured database.
    """

    action_name: ClassVar[str]

    def __init__(self, store: ArticleStore | None = None) -> None:
        self.store = store or default_store()

    def name(self) -> str:
        """Return the action's name in the domain."""
        return self.action_name

    @abstractmethod
    def choose(self, tracker: Tracker, language: str) -> Answer:
        """Return the answer for the conversation's latest message, in `language`."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the chosen answer in the conversation's language; set slot `kb_article`."""
        return send(dispatcher, tracker, self.choose(tracker, conversation_language(tracker)))


class ActionAnswerTopic(KnowledgeAction):
    """Answer the topic the intent asks for, narrowed by the terms it mentions."""

    action_name = ACTION_ANSWER_TOPIC

    def choose(self, tracker: Tracker, language: str) -> Answer:
        """The intent's article, else the named topic, "did you mean", or not-understood."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        slug = slug_for_intent(intent) or NOT_UNDERSTOOD_SLUG
        slug = refine(slug, mentioned_slugs(tracker, self.store, language))
        text = str(tracker.latest_message.get("text") or "")
        if slug == NOT_UNDERSTOOD_SLUG and intent == NLU_FALLBACK_INTENT and has_words(text):
            decision = decide(classifier_ranking(tracker.latest_message), decision_thresholds())
            if decision.kind == "did_you_mean":
                slugs = [slug_for_intent(i) or "" for i in decision.intents]
                return self.store.did_you_mean(slugs, language=language)
        return self.store.answer_for(slug, language=language)


class ActionTellMeMore(KnowledgeAction):
    """Give the details of the last article answered."""

    action_name = ACTION_TELL_ME_MORE

    def choose(self, tracker: Tracker, language: str) -> Answer:
        """Details of slot `kb_article`; what the assistant can do when there is none."""
        last = tracker.get_slot(SLOT_KB_ARTICLE)
        if last:
            return self.store.details_for(last, language=language)
        return self.store.answer_for(CAPABILITIES_SLUG, language=language)


class ActionFollowUp(KnowledgeAction):
    """Answer a short follow-up ("and with CAR-T?") in the context of the last answer."""

    action_name = ACTION_FOLLOW_UP

    def choose(self, tracker: Tracker, language: str) -> Answer:
        """The article the follow-up points to, or not-understood."""
        last = tracker.get_slot(SLOT_KB_ARTICLE)
        slug = follow_up(last, mentioned_slugs(tracker, self.store, language))
        return self.store.answer_for(slug or NOT_UNDERSTOOD_SLUG, language=language)


class ActionUrgentCare(KnowledgeAction):
    """Send the urgent-care answer (the safety net chose it, or the reader asked)."""

    action_name = ACTION_URGENT_CARE

    def choose(self, tracker: Tracker, language: str) -> Answer:
        """The urgent-symptoms article (a built-in text if the database fails)."""
        return self.store.answer_for(URGENT_SLUG, language=language)
