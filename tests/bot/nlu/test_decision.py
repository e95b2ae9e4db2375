"""Answer, "did you mean", or not understood: the decision on the classifier's ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.decision import (
    Decision,
    Thresholds,
    classifier_ranking,
    decide,
    has_words,
    thresholds_from_config,
)
from bot.settings import PROJECT_ROOT

T = Thresholds(answer=0.6, margin=0.1, suggest=0.1)


@pytest.mark.parametrize(
    ("ranking", "decision"),
    [
        (
            [("ask_car_t_cells", 0.9), ("ask_side_effects_car_t", 0.05)],
            Decision("answer", ("ask_car_t_cells",)),
        ),
        (
            [("ask_car_t_cells", 0.5), ("ask_side_effects_car_t", 0.4), ("greet", 0.05)],
            Decision("did_you_mean", ("ask_car_t_cells", "ask_side_effects_car_t")),
        ),
        (  # confident but too close to the second: ask
            [("ask_trial_search", 0.62), ("ask_joining_a_trial", 0.58)],
            Decision("did_you_mean", ("ask_trial_search", "ask_joining_a_trial")),
        ),
        (  # conversation intents and the out-of-scope intent are never offered
            [("greet", 0.4), ("out_of_scope", 0.3), ("ask_daily_life", 0.2)],
            Decision("did_you_mean", ("ask_daily_life",)),
        ),
        ([("ask_daily_life", 0.08), ("greet", 0.05)], Decision("not_understood")),
        ([], Decision("not_understood")),
    ],
)
def test_decide(ranking: list[tuple[str, float]], decision: Decision) -> None:
    assert decide(ranking, T) == decision


def test_at_most_three_topics_are_offered() -> None:
    ranking = [(f"ask_side_effects_{s}", 0.2) for s in ("liver", "skin", "lungs", "fatigue")]
    assert len(decide(ranking, T).intents) == 3


def test_the_classifier_ranking_leaves_out_the_fallback_entry() -> None:
    parse = {"intent_ranking": [{"name": "nlu_fallback", "confidence": 0.6},
                                {"name": "ask_car_t_cells", "confidence": 0.4}]}  # fmt: skip
    assert classifier_ranking(parse) == [("ask_car_t_cells", 0.4)]


def test_thresholds_come_from_the_fallback_classifier_in_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: FallbackClassifier\n"
        "    threshold: 0.45\n    ambiguity_threshold: 0.05\n"
    )
    assert thresholds_from_config(config) == Thresholds(answer=0.45, margin=0.05)
    assert thresholds_from_config(PROJECT_ROOT / "config.yml").answer > 0
    config.write_text("pipeline: []\n")
    with pytest.raises(ValueError, match="no FallbackClassifier"):
        thresholds_from_config(config)


@pytest.mark.parametrize(
    ("text", "words"),
    [("", False), ("   ", False), ("12345", False), ("🤒💊", False), ("liver?", True)],
)
def test_only_a_message_with_words_is_worth_a_guess(text: str, words: bool) -> None:
    assert has_words(text) is words
