"""Reading a person's answers to the trial-search questions, in their own words."""

from __future__ import annotations

from typing import Any

import pytest

from bot.trials.form import (
    AGE,
    CANCER_TYPE,
    PERSON_SEX,
    SKIP,
    THERAPY_KIND,
    TRIAL_PLACE,
    read_answers,
)
from bot.trials.tags import TrialTagger


@pytest.fixture(scope="module")
def tagger(starter_kb: Any) -> TrialTagger:
    return TrialTagger(starter_kb.articles)


def read(tagger: TrialTagger, text: str, requested: str | None) -> dict[str, Any]:
    return read_answers(text, requested, kinds_in=tagger.kinds_named, country="France")


@pytest.mark.parametrize("text, requested, expected", [
    # Everything the first message gives is kept, so it is not asked again.
    ("trials for lung cancer for my 60 year old dad", None,
     {CANCER_TYPE: "Lung cancer", AGE: 60.0, PERSON_SEX: "MALE"}),
    ("CAR-T trials for leukaemia in France", None,
     {CANCER_TYPE: "Leukaemia", THERAPY_KIND: "cell-therapy", TRIAL_PLACE: "country"}),
    ("find a trial for my 45 year old wife with breast cancer", None,
     {CANCER_TYPE: "Breast cancer", AGE: 45.0, PERSON_SEX: "FEMALE"}),
    ("I am 52 and have melanoma, any trials?", None, {CANCER_TYPE: "Melanoma", AGE: 52.0}),
    ("help me find a clinical trial", None, {}),
    # Answers to the question asked.
    ("Lung cancer", CANCER_TYPE, {CANCER_TYPE: "Lung cancer"}),
    ("AML", CANCER_TYPE, {CANCER_TYPE: "Acute myeloid leukaemia (AML)"}),
    ("Advanced NSCLC", CANCER_TYPE, {CANCER_TYPE: "Lung cancer"}),
    ("cholangiocarcinoma", CANCER_TYPE, {CANCER_TYPE: "cholangiocarcinoma"}),
    ("not sure", CANCER_TYPE, {CANCER_TYPE: SKIP}),
    ("60", AGE, {AGE: 60.0}),
    ("he's 8 months old", AGE, {AGE: 0.67, PERSON_SEX: "MALE"}),
    ("skip", AGE, {AGE: SKIP}),
    ("Checkpoint inhibitor", THERAPY_KIND, {THERAPY_KIND: "checkpoint-inhibitor"}),
    ("CAR-T or other cell therapy", THERAPY_KIND, {THERAPY_KIND: "cell-therapy"}),
    ("Bispecific antibody or engager", THERAPY_KIND, {THERAPY_KIND: "bispecific"}),
    ("Other immunotherapy", THERAPY_KIND, {THERAPY_KIND: "other"}),
    ("pembrolizumab", THERAPY_KIND, {THERAPY_KIND: "checkpoint-inhibitor"}),
    ("any kind", THERAPY_KIND, {THERAPY_KIND: "any"}),
    ("I don't mind", THERAPY_KIND, {THERAPY_KIND: "any"}),
    ("at this hospital", TRIAL_PLACE, {TRIAL_PLACE: "hospital"}),
    ("France", TRIAL_PLACE, {TRIAL_PLACE: "country"}),
    ("anywhere", TRIAL_PLACE, {TRIAL_PLACE: "anywhere"}),
    ("skip", TRIAL_PLACE, {TRIAL_PLACE: "anywhere"}),
    # A correction at a later question.
    ("actually he is 58", THERAPY_KIND, {AGE: 58.0, PERSON_SEX: "MALE"}),
    ("sorry, it is bladder cancer", TRIAL_PLACE, {CANCER_TYPE: "Bladder cancer"}),
    # A bare number only answers the age question.
    ("60", THERAPY_KIND, {}),
    # A question is not an answer: it is answered, then the search resumes.
    ("what is CAR-T?", THERAPY_KIND, {}),
    ("what are the side effects of lung cancer immunotherapy", CANCER_TYPE, {}),
    ("", AGE, {}),
])  # fmt: skip
def test_answers_are_read_from_the_words(
    tagger: TrialTagger, text: str, requested: str | None, expected: dict[str, Any]
) -> None:
    assert read(tagger, text, requested) == expected


def test_a_long_message_naming_no_cancer_is_not_taken_as_a_cancer_type(
    tagger: TrialTagger,
) -> None:
    text = "I would like to talk to somebody about all of this first please"
    assert CANCER_TYPE not in read(tagger, text, CANCER_TYPE)


@pytest.mark.parametrize("text", ["stop", "never mind", "Cancel that", "forget it"])
def test_stop_words_are_never_an_answer(tagger: TrialTagger, text: str) -> None:
    assert read(tagger, text, CANCER_TYPE) == {}


def test_an_unknown_short_answer_is_a_cancer_type_only_when_free_text_is_allowed(
    tagger: TrialTagger,
) -> None:
    allowed = read_answers("hello", CANCER_TYPE, kinds_in=tagger.kinds_named, country="France")
    refused = read_answers(
        "hello", CANCER_TYPE, kinds_in=tagger.kinds_named, country="France", free_text=False
    )
    assert allowed == {CANCER_TYPE: "hello"} and refused == {}


def test_a_cancer_question_skip_is_kept_for_the_form_to_explain(tagger: TrialTagger) -> None:
    assert read(tagger, "skip", CANCER_TYPE) == {CANCER_TYPE: SKIP}
