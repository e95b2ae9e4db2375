"""A Rasa dense featurizer that adds all-MiniLM-L6-v2 vectors to each message's text."""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import detect_language
from bot.nlu.encoder import EncodedText, sentence_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence and token features from the pretrained all-MiniLM-L6-v2 encoder.

    The sentence feature is the model's own sentence vector (mean-pooled, unit length);
    each token feature is the mean of its word pieces. `scale` multiplies both, so a linear
    classifier can weigh them against the sparse word counts beside them. The encoder is
    loaded once per process, whatever the number of pipeline nodes.

    The encoder was trained on English. A French message's vectors say more about its
    being French than about what it means, and taught the classifier that any odd
    sentence is a warning sign ("the purple elephant sings loudly"): French messages get
    zero vectors, and are read by their words and character n-grams alone.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        """Token features follow the Rasa tokenizer's tokens."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`scale`: factor for the unit-length vectors (1.0 leaves them as they are)."""
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    @staticmethod
    def required_packages() -> list[str]:
        """The word-piece tokenizer; the model itself is a data package, never imported."""
        return ["tokenizers", "safetensors"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._scale = float(self._config["scale"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        """Create the featurizer; the encoder is read on first use."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Any positive scale will do."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example, in batches."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the features to every message.

        Even an empty or symbol-only message gets a sentence vector: the classifier after
        this needs at least one feature, or it raises instead of answering.
        """
        encoded = sentence_encoder().encode_pieces([m.get(TEXT) or "" for m in messages])
        for message, text in zip(messages, encoded, strict=True):
            self._add(message, text)
        return messages

    def _add(self, message: Message, encoded: EncodedText) -> None:
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        scale = 0.0 if detect_language(message.get(TEXT) or "") == "fr" else self._scale
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        if tokens:
            sequence = np.stack([encoded.span_vector(t.start, t.end) for t in tokens])
            message.add_features(Features(sequence * scale, FEATURE_TYPE_SEQUENCE, TEXT, alias))
        sentence = encoded.sentence[None, :] * scale
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, alias))
