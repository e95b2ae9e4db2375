"""The trial finder's actions: thin adapters from Rasa's form machinery to `bot/`.

The form `trial_search_form` asks, one question at a time, for the slots in
`bot.trials.form.QUESTION_ORDER`. Every message while it is active is read by
`ActionReadTrialAnswers` (a custom slot mapping), so values given early or corrected
later are understood at any question; a message that answers nothing lets the form step
aside, and the rules answer it before the form resumes. Every question, explanation and
result is in the conversation's language (`conversation_language`); answers are read in
English and French alike.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import conversation_language, default_store, send, utter
from actions.domain_names import (
    ACTION_READ_TRIAL_ANSWERS,
    ACTION_SHOW_TRIALS,
    ACTION_START_TRIAL_SEARCH,
    ACTION_STOP_TRIAL_SEARCH,
    SLOT_TRIAL_OFFSET,
    TRIAL_FORM,
)
from bot.kb.store import ArticleStore
from bot.kb.topics import (
    CAPABILITIES_SLUG,
    INFORM_INTENT,
    NLU_FALLBACK_INTENT,
    OUT_OF_SCOPE_INTENT,
    STOP_INTENT,
    TRIAL_SEARCH_SLUG,
    URGENT_INTENT,
    intent_for_slug,
)
from bot.trials import replies
from bot.trials.finder import TrialFinder
from bot.trials.form import (
    AGE,
    CANCER_TYPE,
    MAX_AGE,
    PERSON_SEX,
    QUESTION_ORDER,
    SKIP,
    THERAPY_KIND,
    TRIAL_PLACE,
)
from bot.trials.replies import PAGE_SIZE
from bot.trials.search import ANY, ANYWHERE, TrialQuery

# Intents under which a short unknown answer to "what type of cancer?" is taken as one
# ("cholangiocarcinoma"); under any other intent ("hello") the message is answered instead.
FREE_TEXT_INTENTS = frozenset(
    {
        INFORM_INTENT,
        NLU_FALLBACK_INTENT,
        OUT_OF_SCOPE_INTENT,
        intent_for_slug(TRIAL_SEARCH_SLUG),
        intent_for_slug("cancers-treated"),
    }
)
SEARCH_SLOTS = (*QUESTION_ORDER, PERSON_SEX, SLOT_TRIAL_OFFSET)


@lru_cache(maxsize=1)
def default_finder() -> TrialFinder:
    """The process's trial finder, on the knowledge base's session factory."""
    return TrialFinder(default_store().session_factory)


class TrialAction(Action, ABC):
    """An action of the trial finder; abstract, so the action server skips it.

    Args:
        finder: where trials come from; by default the configured database.
        store: where articles come from; by default the configured database.
    """

    action_name: ClassVar[str]

    def __init__(
        self, finder: TrialFinder | None = None, store: ArticleStore | None = None
    ) -> None:
        self.finder = finder or default_finder()
        self.store = store or default_store()

    def name(self) -> str:
        """Return the action's name in the domain."""
        return self.action_name

    @abstractmethod
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Run the action; return its events."""


class ActionStartTrialSearch(TrialAction):
    """Say what the search can do (the `trial-search` article) and forget any old search."""

    action_name = ACTION_START_TRIAL_SEARCH

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the article; clear the search slots so nothing old is reused.

        A search asked for in the middle of another one starts afresh: the form is
        ended here, so that it activates again and reads the new message.
        """
        language = conversation_language(tracker)
        answer = self.store.answer_for(TRIAL_SEARCH_SLUG, language=language)
        events = send(dispatcher, tracker, answer)
        fresh = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        return events + [SlotSet(slot, None) for slot in SEARCH_SLOTS] + fresh


class ActionReadTrialAnswers(TrialAction):
    """Fill the search slots from what the latest message says (a custom slot mapping)."""

    action_name = ACTION_READ_TRIAL_ANSWERS

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Return a SlotSet for each value read; nothing for a warning sign or "stop"."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in (URGENT_INTENT, STOP_INTENT):
            return []  # the form steps aside and the rules answer first
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot(REQUESTED_SLOT)
        values = self.finder.read(text, requested, free_text=intent in FREE_TEXT_INTENTS)
        return [SlotSet(slot, value) for slot, value in values.items()]


def _earlier_value(tracker: Tracker, slot: str, new: Any) -> Any:
    """The value `slot` had before `new` in this search (None if it had none)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == slot:
            if event.get("value") != new:
                return event.get("value")
    return None


def _confirm_change(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, new: Any
) -> None:
    """Say so when an answer corrects an earlier one ("actually he is 58")."""
    if _earlier_value(tracker, slot, new) not in (None, SKIP):
        language = conversation_language(tracker)
        dispatcher.utter_message(text=replies.changed(slot, new, language=language))


class ValidateTrialSearchForm(FormValidationAction):
    """Explain why an answer is needed, confirm a correction, check the age."""

    def name(self) -> str:
        """Return the action's name in the domain."""
        return f"validate_{TRIAL_FORM}"

    def validate_cancer_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A cancer type is needed: each trial is for certain cancers."""
        if value == SKIP or not str(value or "").strip():
            language = conversation_language(tracker)
            dispatcher.utter_message(text=replies.needed(CANCER_TYPE, language=language))
            return {CANCER_TYPE: None}
        _confirm_change(dispatcher, tracker, CANCER_TYPE, str(value))
        return {CANCER_TYPE: str(value)}

    def validate_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An age in years from 0 to 120 is needed: trials have age limits."""
        if value == SKIP:
            language = conversation_language(tracker)
            dispatcher.utter_message(text=replies.needed(AGE, language=language))
            return {AGE: None}
        try:
            age = float(value)
        except (TypeError, ValueError):
            age = -1.0
        if not 0 <= age <= MAX_AGE:
            dispatcher.utter_message(text=replies.bad_age(language=conversation_language(tracker)))
            return {AGE: None}
        _confirm_change(dispatcher, tracker, AGE, age)
        return {AGE: age}


class ActionAskTrialQuestion(TrialAction, ABC):
    """Ask one question of the search; subclasses name the slot."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        """`action_ask_<slot>`: the form calls it to ask for the slot."""
        return f"action_ask_{self.slot}"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send the question with its buttons, in the conversation's language."""
        language = conversation_language(tracker)
        utter(dispatcher, self.finder.question(self.slot, language=language))
        return []


class ActionAskCancerType(ActionAskTrialQuestion):
    """Ask the type of cancer."""

    slot = CANCER_TYPE


class ActionAskAge(ActionAskTrialQuestion):
    """Ask the age."""

    slot = AGE


class ActionAskTherapyKind(ActionAskTrialQuestion):
    """Ask the kind of immunotherapy (optional)."""

    slot = THERAPY_KIND


class ActionAskTrialPlace(ActionAskTrialQuestion):
    """Ask where the trial should be (optional)."""

    slot = TRIAL_PLACE


class ActionShowTrials(TrialAction):
    """Show the next page of results of the search the form completed."""

    action_name = ACTION_SHOW_TRIALS

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Send up to `PAGE_SIZE` trials from slot `trial_offset`; advance it."""
        language = conversation_language(tracker)
        cancer, age = tracker.get_slot(CANCER_TYPE), tracker.get_slot(AGE)
        if cancer is None or age is None:  # "more trials" before any search
            answer = self.store.answer_for(TRIAL_SEARCH_SLUG, language=language)
            return send(dispatcher, tracker, answer)
        offset = int(tracker.get_slot(SLOT_TRIAL_OFFSET) or 0)
        query = TrialQuery(
            cancer=str(cancer),
            age=float(age),
            sex=tracker.get_slot(PERSON_SEX),
            kind=tracker.get_slot(THERAPY_KIND) or ANY,
            place=tracker.get_slot(TRIAL_PLACE) or ANYWHERE,
        )
        events = send(dispatcher, tracker, self.finder.results(query, offset, language=language))
        return events + [SlotSet(SLOT_TRIAL_OFFSET, offset + PAGE_SIZE)]


class ActionStopTrialSearch(TrialAction):
    """Stop the trial search ("stop", "never mind"); outside one, say what else it can do."""

    action_name = ACTION_STOP_TRIAL_SEARCH

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """End the search if one is under way, and say so."""
        language = conversation_language(tracker)
        if (tracker.active_loop or {}).get("name") == TRIAL_FORM:
            answer = replies.stopped(language=language)
        else:
            answer = self.store.answer_for(CAPABILITIES_SLUG, language=language)
        events = send(dispatcher, tracker, answer)
        return events + [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
