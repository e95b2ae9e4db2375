"""Set a safety net's intent on a message, ahead of what the classifier predicted."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from bot.kb.topics import NLU_FALLBACK_INTENT


def override_intent(message: Message, intent: str, **extra: Any) -> None:
    """Make `intent` the prediction (confidence 1.0) and first in the ranking.

    The classifier's own ranking stays behind it, so the staff inbox and the "did you
    mean" buttons still see what the classifier thought. `extra` keys are added to the
    parse result (for example which signs fired).
    """
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
    for key, value in extra.items():
        message.set(key, value, add_to_output=True)


def demote_intent(message: Message, intent: str) -> None:
    """Take back a prediction of `intent`: the message falls back to the answer decision.

    The ranking keeps the other intents, so "did you mean" can still offer them.
    """
    if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) != intent:
        return
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    fallback = {INTENT_NAME_KEY: NLU_FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, fallback, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
