"""The NLU component overrides the classifier's intent for warning signs only."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_ext.urgent_signs import UrgentSymptomNet


def classified(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("my husband has a fever of 39.4", "ask_side_effects_overview"),
        ("I can't catch my breath", "nlu_fallback"),
        ("mum is confused and talking nonsense after CAR-T", "greet"),
    ],
)
def test_warning_signs_override_any_prediction(text: str, predicted: str) -> None:
    [message] = UrgentSymptomNet().process([classified(text, predicted, 0.97)])
    assert message.get(INTENT) == {"name": "report_urgent_symptom", "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "report_urgent_symptom" and ranking[1]["name"] == predicted
    assert message.get("urgent_signs")


def test_general_questions_keep_their_prediction() -> None:
    [message] = UrgentSymptomNet().process(
        [classified("can immunotherapy cause diarrhoea?", "ask_side_effects_digestive", 0.9)]
    )
    assert message.get(INTENT)["name"] == "ask_side_effects_digestive"
    assert message.get("urgent_signs") is None
