"""A deterministic safety net that overrides the intent classifier for warning signs."""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.kb.topics import URGENT_INTENT
from bot.safety.urgent_signs import assess

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UrgentSymptomNet(GraphComponent, IntentClassifier):
    """Sets the urgent intent whenever `bot.safety.urgent_signs` finds a warning sign.

    Placed last in the pipeline, it wins over DIET and the FallbackClassifier, so a
    warning sign reaches the urgent answer even when the classifier is wrong, and
    inside forms (a rule for the urgent intent interrupts them).
    """

    @classmethod
    def required_components(cls) -> list[type]:
        """Runs after an intent classifier, whose prediction it may override."""
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UrgentSymptomNet:
        """Create the component (it has nothing to train or persist)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of every message that describes a warning sign."""
        for message in messages:
            triage = assess(message.get(TEXT) or "")
            if not triage.urgent:
                continue
            logger.info("urgent net fired: %s", ",".join(triage.signs))
            urgent = {INTENT_NAME_KEY: URGENT_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get(INTENT_NAME_KEY) != URGENT_INTENT
            ]
            message.set(INTENT, urgent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [urgent, *ranking], add_to_output=True)
            message.set("urgent_signs", list(triage.signs), add_to_output=True)
        return messages
