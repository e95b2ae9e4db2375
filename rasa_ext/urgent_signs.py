"""The urgent net as a Rasa NLU component: the word net, backed by a learned detector."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb.topics import URGENT_INTENT
from bot.language import detect_language
from bot.safety.urgent_detector import UrgentDetector
from bot.safety.urgent_signs import assess
from rasa_ext.intent_override import demote_intent, override_intent

logger = logging.getLogger(__name__)
WEIGHTS_FILE = "urgent_detector.npz"
LEARNED_SIGN = "learned"  # the sign id logged when only the learned detector fired


def is_french(message: Message) -> bool:
    """Whether the message reads as French (the learned detector knows English only)."""
    return detect_language(str(message.get(TEXT) or "")) == "fr"


def sentence_vector(message: Message) -> np.ndarray | None:
    """The message's dense sentence features (the sentence encoder's), if any."""
    _, sentence = message.get_dense_features(TEXT)
    return None if sentence is None else sentence.features[0]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UrgentSymptomNet(GraphComponent, IntentClassifier):
    """Sets the urgent intent when the word net or the learned detector finds a warning sign.

    Placed last in the pipeline, it wins over the classifier, the FallbackClassifier and
    the personal-advice net, so a warning sign reaches the urgent answer even when the
    classifier is wrong, and inside forms (a rule for the urgent intent interrupts them).
    The word net needs no training; the learned detector is trained with the model and
    fires at `threshold` (chosen by `python -m scripts.choose_thresholds`), unless the
    words mentioned a sign and read it as not urgent.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        """Trained on the featurized examples; placed after the classifier it overrides.

        Nothing is required: without sentence features the word half runs alone.
        """
        return []

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`threshold`: the learned detector's probability that counts as a warning sign."""
        return {"threshold": 0.5}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        detector: UrgentDetector | None = None,
    ) -> None:
        self._threshold = float({**self.get_default_config(), **config}["threshold"])
        self._storage, self._resource = model_storage, resource
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UrgentSymptomNet:
        """Create an untrained net (the word half works already)."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Train the learned detector on the sentence vectors of the English examples.

        The sentence encoder (all-MiniLM-L6-v2) was trained on English: French examples
        land in a corner of its space that says "not English" more than what they mean,
        and trained on them the detector fired on any odd sentence ("the purple
        elephant sings loudly": 0.89). French is read by the words and the classifier.
        """
        pairs = [
            (vector, example.get(INTENT) == URGENT_INTENT)
            for example in training_data.intent_examples
            if not is_french(example) and (vector := sentence_vector(example)) is not None
        ]
        if not pairs:
            logger.warning("no sentence features: the urgent net runs on its words only")
            return self._resource
        vectors = np.stack([v for v, _ in pairs])
        self._detector = UrgentDetector.fit(vectors, [u for _, u in pairs])
        with self._storage.write_to(self._resource) as directory:
            self._detector.save(directory / WEIGHTS_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UrgentSymptomNet:
        """Load the trained detector; without one, the word half still runs."""
        try:
            with model_storage.read_from(resource) as directory:
                detector = UrgentDetector.load(directory / WEIGHTS_FILE)
        except (ValueError, OSError):
            logger.warning("urgent detector not found: the urgent net runs on its words only")
            detector = None
        return cls(config, model_storage, resource, detector)

    def _probability(self, message: Message) -> float:
        vector = sentence_vector(message)
        if self._detector is None or vector is None or is_french(message):
            return 0.0
        return float(self._detector.probabilities(vector)[0])

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of every message that describes a warning sign."""
        for message in messages:
            triage = assess(message.get(TEXT) or "")
            probability = self._probability(message)
            message.set("urgent_probability", round(probability, 4), add_to_output=True)
            signs = list(triage.signs)
            # The words' reading of a mentioned sign ("no fever", "it's gone", "can it
            # cause a cough?", "my mouth is dry") is sharper than the vectors', so it
            # overrules the detector and the classifier's own urgent guess.
            if triage.dismissed:
                demote_intent(message, URGENT_INTENT)
            elif probability >= self._threshold and not signs:
                signs = [LEARNED_SIGN]
            if signs:
                # Which signs is health information: only at DEBUG (like message text).
                logger.info("urgent net fired")
                logger.debug("urgent net fired: %s", ",".join(signs))
                override_intent(message, URGENT_INTENT, urgent_signs=signs)
        return messages
