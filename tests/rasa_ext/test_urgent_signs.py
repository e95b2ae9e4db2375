"""The NLU components of the nets override the classifier's intent, and only when they fire."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_ext.advice_signs import PersonalAdviceNet
from rasa_ext.sentence_features import MiniLMFeaturizer
from rasa_ext.urgent_signs import UrgentSymptomNet

CONTEXT = ExecutionContext(GraphSchema({}), "test")


def classified(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


def featurized(messages: list[Message]) -> list[Message]:
    """Tokens and real sentence-encoder features, as the pipeline gives them."""
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process(messages)
    featurizer = MiniLMFeaturizer.create(
        MiniLMFeaturizer.get_default_config(),
        None,
        None,
        CONTEXT,  # type: ignore[arg-type]
    )
    return featurizer.process(messages)


def net(tmp_path: Path, **config: float) -> UrgentSymptomNet:
    return UrgentSymptomNet.create(config, LocalModelStorage(tmp_path), Resource("urgent"), CONTEXT)


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("my husband has a fever of 39.4", "ask_side_effects_overview"),
        ("I can't catch my breath", "nlu_fallback"),
        ("mum is confused and talking nonsense after CAR-T", "greet"),
    ],
)
def test_warning_signs_override_any_prediction(tmp_path: Path, text: str, predicted: str) -> None:
    [message] = net(tmp_path).process([classified(text, predicted, 0.97)])
    assert message.get(INTENT) == {"name": "report_urgent_symptom", "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "report_urgent_symptom" and ranking[1]["name"] == predicted
    assert message.get("urgent_signs")


def test_general_questions_keep_their_prediction(tmp_path: Path) -> None:
    [message] = net(tmp_path).process(
        [classified("can immunotherapy cause diarrhoea?", "ask_side_effects_digestive", 0.9)]
    )
    assert message.get(INTENT)["name"] == "ask_side_effects_digestive"
    assert message.get("urgent_signs") is None


def training_data() -> TrainingData:
    urgent = ["my lips and tongue are swelling up", "he cannot find his words since CAR-T"]
    other = ["what is immunotherapy", "can immunotherapy cause a rash", "hello there"]
    examples = [Message(data={TEXT: t, INTENT: "report_urgent_symptom"}) for t in urgent] + [
        Message(data={TEXT: t, INTENT: "ask_x"}) for t in other
    ]
    return TrainingData(featurized(examples))


def test_the_learned_detector_is_trained_saved_and_loaded(tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("urgent")
    trained = UrgentSymptomNet.create({}, storage, resource, CONTEXT)
    trained.train(training_data())
    loaded = UrgentSymptomNet.load({"threshold": 0.5}, storage, resource, CONTEXT)
    texts = ["her tongue and lips have swollen a lot", "what is a clinical trial"]
    [swelling, question] = loaded.process(featurized([classified(t, "ask_x", 0.9) for t in texts]))
    assert swelling.get("urgent_probability") > 0.5 > question.get("urgent_probability")
    assert question.get(INTENT)["name"] == "ask_x"


@pytest.mark.parametrize(("threshold", "fires"), [(0.0, True), (1.01, False)])
def test_the_learned_detector_alone_can_send_the_urgent_answer(
    tmp_path: Path, threshold: float, fires: bool
) -> None:
    component = net(tmp_path, threshold=threshold)
    component.train(training_data())
    [message] = component.process(featurized([classified("hello again", "greet", 0.99)]))
    assert (message.get(INTENT)["name"] == "report_urgent_symptom") is fires
    assert message.get("urgent_signs") == (["learned"] if fires else None)


def test_an_untrained_net_still_runs_its_words(tmp_path: Path) -> None:
    loaded = UrgentSymptomNet.load({}, LocalModelStorage(tmp_path), Resource("none"), CONTEXT)
    [message] = loaded.process([classified("I can't breathe", "greet", 0.9)])
    assert message.get(INTENT)["name"] == "report_urgent_symptom"


@pytest.mark.parametrize(
    ("text", "fires"),
    [("should I skip my keytruda next week?", True), ("what is keytruda?", False)],
)
def test_the_advice_net_overrides_only_personal_requests(text: str, fires: bool) -> None:
    [message] = PersonalAdviceNet().process([classified(text, "ask_checkpoint_inhibitors", 0.9)])
    expected = "ask_personal_advice" if fires else "ask_checkpoint_inhibitors"
    assert message.get(INTENT)["name"] == expected
    assert bool(message.get("advice_kinds")) is fires


@pytest.mark.parametrize("text", ["I don't have a fever", "what should I do if I get a fever?"])
def test_the_words_overrule_a_classifier_guess_of_urgent(tmp_path: Path, text: str) -> None:
    message = classified(text, "report_urgent_symptom", 0.84)
    message.set(
        INTENT_RANKING_KEY,
        [{"name": "report_urgent_symptom", "confidence": 0.84},
         {"name": "ask_side_effects_overview", "confidence": 0.1}],
    )  # fmt: skip
    [message] = net(tmp_path, threshold=0.0).process([message])
    assert message.get(INTENT)["name"] == "nlu_fallback"
    names = [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert names == ["nlu_fallback", "ask_side_effects_overview"]
    assert message.get("urgent_signs") is None


@pytest.mark.parametrize("text", ["", "   ", "12345", "🤒"])
def test_every_message_gets_a_sentence_feature_so_the_classifier_can_run(text: str) -> None:
    [message] = featurized([Message(data={TEXT: text})])
    _, sentence = message.get_dense_features(TEXT)
    assert sentence is not None and sentence.features.shape == (1, 384)


def test_the_urgent_net_names_no_sign_at_info(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="rasa_ext.urgent_signs")
    net(tmp_path).process([classified("my husband has a fever of 39.4", "greet", 0.9)])
    assert "urgent net fired" in caplog.text and "fever" not in caplog.text
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="rasa_ext.urgent_signs")
    net(tmp_path).process([classified("my husband has a fever of 39.4", "greet", 0.9)])
    assert "fever" in caplog.text  # the sign names are for debugging only
