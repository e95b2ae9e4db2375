"""The learned half of the urgent net: a linear detector on sentence vectors.

The word net (`urgent_signs`) misses paraphrases it has no phrase for. This detector is
trained, at `rasa train` time, on the sentence vectors of every NLU example: the
`report_urgent_symptom` examples against all the others, which include many general
questions about the same symptoms. It fires when its probability reaches a threshold that
`python -m scripts.choose_urgent_threshold` picks for recall on the word net's tuning
phrasings (never on the held-out set). Either half firing sends the urgent answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@dataclass(frozen=True)
class UrgentDetector:
    """Logistic regression weights over unit-length sentence vectors."""

    weights: np.ndarray
    bias: float

    @classmethod
    def fit(cls, vectors: np.ndarray, urgent: Sequence[bool]) -> UrgentDetector:
        """Train on sentence vectors and whether each example reports a warning sign.

        Raises:
            ValueError: the examples are not of both kinds.
        """
        labels = np.asarray(urgent, dtype=bool)
        if labels.all() or not labels.any():
            raise ValueError("the urgent detector needs urgent and other examples")
        # Balanced: urgent examples are few, and missing one costs far more.
        model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
        model.fit(unit(vectors), labels)
        return cls(model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """The probability that each sentence vector reports a warning sign."""
        return 1.0 / (1.0 + np.exp(-(unit(vectors) @ self.weights + self.bias)))

    def save(self, path: Path) -> None:
        """Write the weights (plain numbers: nothing executable is stored)."""
        np.savez(path, weights=self.weights, bias=np.array([self.bias]))

    @classmethod
    def load(cls, path: Path) -> UrgentDetector:
        """Read weights written by `save`."""
        with np.load(path, allow_pickle=False) as data:
            return cls(data["weights"], float(data["bias"][0]))
