"""What to do with the classifier's ranking: answer, ask "did you mean ...?", or say so.

Rasa's FallbackClassifier applies the answer rule (its `threshold` and
`ambiguity_threshold` in config.yml); when it falls back, the answer action calls `decide`
with the same values to choose between "did you mean" buttons and "not understood". The
thresholds are chosen on a development split by `python -m scripts.choose_thresholds`;
the figures are in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.kb.topics import NLU_FALLBACK_INTENT, group_of, slug_for_intent

# Below this, a topic is too unlikely to be offered as a button.
SUGGEST_THRESHOLD = 0.1
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Thresholds:
    """The decision's thresholds.

    Attributes:
        answer: the top intent's probability needed to answer it outright.
        margin: how far ahead of the second it must be (else the two are too close).
        suggest: the probability a topic needs to be offered as "did you mean".
    """

    answer: float
    margin: float = 0.1
    suggest: float = SUGGEST_THRESHOLD


@dataclass(frozen=True)
class Decision:
    """`answer` the one intent, offer `did_you_mean` intents (best first), or `not_understood`."""

    kind: Literal["answer", "did_you_mean", "not_understood"]
    intents: tuple[str, ...] = ()


def offerable(intent: str) -> bool:
    """A topic worth a button: it has an article outside the conversation group."""
    slug = slug_for_intent(intent)
    return slug is not None and group_of(slug) not in {None, "conversation"}


def has_words(text: str) -> bool:
    """True when the text holds a word to guess from (not blank, digits or symbols only)."""
    return sum(c.isalpha() for c in text) >= 2


def decide(ranking: Sequence[tuple[str, float]], thresholds: Thresholds) -> Decision:
    """Decide from the classifier's ranking, best first, as (intent, probability) pairs."""
    if not ranking:
        return Decision("not_understood")
    (best, p1), p2 = ranking[0], (ranking[1][1] if len(ranking) > 1 else 0.0)
    if p1 >= thresholds.answer and p1 - p2 >= thresholds.margin:
        return Decision("answer", (best,))
    offered = tuple(
        intent for intent, p in ranking if p >= thresholds.suggest and offerable(intent)
    )[:MAX_SUGGESTIONS]
    return Decision("did_you_mean", offered) if offered else Decision("not_understood")


def thresholds_from_config(config_file: Path) -> Thresholds:
    """The FallbackClassifier's `threshold` and `ambiguity_threshold` in a Rasa config."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    for component in config.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            # Rasa's own defaults when a value is left out.
            return Thresholds(
                answer=float(component.get("threshold", 0.3)),
                margin=float(component.get("ambiguity_threshold", 0.1)),
            )
    raise ValueError(f"{config_file} has no FallbackClassifier")


def classifier_ranking(parse: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The classifier's own ranking from a Rasa parse result, best first.

    The FallbackClassifier's entry is left out; the urgent net never gets here (when it
    fires, the urgent answer is sent without a decision).
    """
    return [
        (str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in parse.get("intent_ranking") or []
        if r.get("name") not in {NLU_FALLBACK_INTENT, None}
    ]
