"""The personal-advice net as a Rasa NLU component."""

from __future__ import annotations

import collections
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.kb.topics import PERSONAL_ADVICE_INTENT
from bot.safety.advice_signs import check_advice
from rasa_ext.intent_override import override_intent

logger = logging.getLogger(__name__)
FAILURES: collections.Counter[str] = collections.Counter()  # error type -> times, this process


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonalAdviceNet(GraphComponent, IntentClassifier):
    """Sets the personal-advice intent when `bot.safety.advice_signs` finds such a request.

    Placed after the classifier and before the urgent net, so a warning sign still wins.
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
    ) -> PersonalAdviceNet:
        """Create the component (it has nothing to train or persist)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of every message that asks for personal advice."""
        for message in messages:
            try:
                check = check_advice(message.get(TEXT) or "")
            except Exception as exc:  # the classifier's answer stands; the bug is reported
                FAILURES.update([type(exc).__name__])
                logger.error("personal-advice net failed: %s", type(exc).__name__)
                continue
            if check.personal:
                logger.debug("advice net fired: %s", ",".join(check.kinds))
                override_intent(message, PERSONAL_ADVICE_INTENT, advice_kinds=list(check.kinds))
        return messages
