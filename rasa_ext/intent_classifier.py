"""Rasa's logistic-regression intent classifier, safe on messages without words."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class WordSafeLogisticRegression(LogisticRegressionClassifier):
    """`LogisticRegressionClassifier`, except for a message with no word features.

    Rasa's class stacks each message's sparse and dense features; an empty or
    symbol-only message has no sparse ones, so its row is too short and scikit-learn
    raises. Such a message gets no intent here, so the FallbackClassifier says "not
    understood" instead of the turn failing.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        """Classify the messages that have word features; leave the others unknown."""
        worded = [m for m in messages if m.get_sparse_features(TEXT)[1] is not None]
        if worded:
            super().process(worded)
        classified = {id(m) for m in worded}
        for message in messages:
            if id(message) not in classified:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
