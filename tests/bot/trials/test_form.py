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


# French answers give the same slot values as their English equivalents.
@pytest.mark.parametrize("english, french, requested", [
    # The first message
    ("trials for lung cancer for my 60 year old dad",
     "des essais pour un cancer du poumon pour mon père de 60 ans", None),
    ("CAR-T trials for leukaemia in France", "essais CAR-T pour une leucémie en France", None),
    ("find a trial for my 45 year old wife with breast cancer",
     "un essai pour ma femme de 45 ans qui a un cancer du sein", None),
    ("I am 52 and have melanoma, any trials?", "j'ai 52 ans et un mélanome", None),
    ("help me find a clinical trial", "aidez-moi à trouver un essai clinique", None),
    ("help me find a clinical trial", "je cherche un essai s'il vous plaît", None),
    # Cancer types: every type the finder knows, with and without accents, plurals
    ("Lung cancer", "cancer du poumon", "cancer_type"),
    ("lung", "poumon", "cancer_type"),
    ("lung cancer", "cancers du poumon", "cancer_type"),
    ("NSCLC", "CBNPC", "cancer_type"),
    ("Melanoma", "mélanome", "cancer_type"),
    ("melanoma", "melanome", "cancer_type"),
    ("skin cancer", "cancer de la peau", "cancer_type"),
    ("Bladder cancer", "cancer de la vessie", "cancer_type"),
    ("urothelial cancer", "carcinome urothélial", "cancer_type"),
    ("kidney", "rein", "cancer_type"),
    ("renal cancer", "cancer rénal", "cancer_type"),
    ("Liver cancer", "cancer du foie", "cancer_type"),
    ("hepatocellular carcinoma", "carcinome hépatocellulaire", "cancer_type"),
    ("Breast cancer", "cancer du sein", "cancer_type"),
    ("colorectal cancer", "cancer colorectal", "cancer_type"),
    ("colon cancer", "cancer du côlon", "cancer_type"),
    ("bowel cancer", "cancer de l'intestin", "cancer_type"),
    ("rectal cancer", "cancer du rectum", "cancer_type"),
    ("Prostate cancer", "cancer de la prostate", "cancer_type"),
    ("Ovarian cancer", "cancer de l'ovaire", "cancer_type"),
    ("ovarian cancer", "cancer des ovaires", "cancer_type"),
    ("Cervical cancer", "cancer du col de l'utérus", "cancer_type"),
    ("cervical cancer", "cancer du col de l’uterus", "cancer_type"),
    ("Womb cancer", "cancer de l'utérus", "cancer_type"),
    ("endometrial cancer", "cancer de l'endomètre", "cancer_type"),
    ("Pancreatic cancer", "cancer du pancréas", "cancer_type"),
    ("Stomach cancer", "cancer de l'estomac", "cancer_type"),
    ("gastric cancer", "cancer gastrique", "cancer_type"),
    ("Oesophageal cancer", "cancer de l'œsophage", "cancer_type"),
    ("oesophageal cancer", "cancer de l'oesophage", "cancer_type"),
    ("head and neck cancer", "cancer ORL", "cancer_type"),
    ("throat cancer", "cancer de la gorge", "cancer_type"),
    ("brain tumour", "tumeur du cerveau", "cancer_type"),
    ("glioblastoma", "glioblastome", "cancer_type"),
    ("Sarcoma", "sarcome", "cancer_type"),
    ("Thyroid cancer", "cancer de la thyroïde", "cancer_type"),
    ("Mesothelioma", "mésothéliome", "cancer_type"),
    ("Leukaemia", "leucémie", "cancer_type"),
    ("leukemia", "leucemie", "cancer_type"),
    ("leukaemia", "LEUCÉMIES", "cancer_type"),
    ("blood cancer", "cancer du sang", "cancer_type"),
    ("AML", "LAM", "cancer_type"),
    ("acute myeloid leukaemia", "leucémie aiguë myéloïde", "cancer_type"),
    ("acute lymphoblastic leukaemia", "leucémie aiguë lymphoblastique", "cancer_type"),
    ("ALL", "LAL", "cancer_type"),
    ("Lymphoma", "lymphome", "cancer_type"),
    ("lymphomas", "lymphomes", "cancer_type"),
    ("Myeloma", "myélome", "cancer_type"),
    ("myeloma", "myelome", "cancer_type"),
    ("myelodysplastic syndrome", "syndrome myélodysplasique", "cancer_type"),
    ("solid tumours", "tumeurs solides", "cancer_type"),
    ("lung cancer and melanoma", "cancer du poumon et mélanome", "cancer_type"),
    ("not sure", "je ne sais pas", "cancer_type"),
    ("I don't know", "je sais pas", "cancer_type"),
    ("skip", "passer", "cancer_type"),
    ("no thanks", "non merci", "cancer_type"),
    # Ages
    ("60", "60", "age"),
    ("65 years", "65 ans", "age"),
    ("he is 72", "il a 72 ans", "age"),
    ("she is 8 months old", "elle a 8 mois", "age"),
    ("I'm 52", "j'ai 52 ans", "age"),
    ("aged 40", "âgée de 40 ans", "age"),
    ("he is 3 years and a half", "il a 3 ans et demi", "age"),
    ("skip", "passer", "age"),
    ("I don't know", "je ne sais pas", "age"),
    # Kinds of treatment
    ("Checkpoint inhibitor", "Inhibiteur de points de contrôle", "therapy_kind"),
    ("checkpoint inhibitors", "inhibiteurs de points de controle", "therapy_kind"),
    ("Cancer vaccine", "Vaccin contre le cancer", "therapy_kind"),
    ("vaccine", "vaccin", "therapy_kind"),
    ("CAR-T or other cell therapy", "CAR-T ou autre thérapie cellulaire", "therapy_kind"),
    ("CAR-T", "cellules CAR-T", "therapy_kind"),
    ("cell therapy", "thérapie cellulaire", "therapy_kind"),
    ("Bispecific antibody or engager", "Anticorps bispécifique", "therapy_kind"),
    ("bispecific antibodies", "anticorps bispécifiques", "therapy_kind"),
    ("Other immunotherapy", "Autre immunothérapie", "therapy_kind"),
    ("immunotherapy", "immunothérapie", "therapy_kind"),
    ("pembrolizumab", "le pembrolizumab", "therapy_kind"),
    ("any kind", "n'importe lequel", "therapy_kind"),
    ("I don't mind", "peu importe", "therapy_kind"),
    ("doesn't matter", "aucune importance", "therapy_kind"),
    ("no preference", "pas de préférence", "therapy_kind"),
    ("I don't care", "je m'en fiche", "therapy_kind"),
    ("skip", "passer", "therapy_kind"),
    # Places
    ("at this hospital", "dans cet hôpital", "trial_place"),
    ("here", "ici", "trial_place"),
    ("France", "France", "trial_place"),
    ("in France", "en France", "trial_place"),
    ("Paris", "Paris", "trial_place"),
    ("Ile-de-France", "Île-de-France", "trial_place"),
    ("anywhere", "n'importe où", "trial_place"),
    ("anywhere", "partout", "trial_place"),
    ("whatever", "peu importe", "trial_place"),
    ("don't mind", "ça m'est égal", "trial_place"),
    ("skip", "passer", "trial_place"),
    # Corrections, stops and questions
    ("actually he is 58", "en fait il a 58 ans", "therapy_kind"),
    ("sorry, it is bladder cancer", "pardon, c'est un cancer de la vessie", "trial_place"),
    ("stop", "stop", "age"),
    ("never mind", "laissez tomber", "cancer_type"),
    ("cancel", "arrêtez", "therapy_kind"),
    ("what is CAR-T?", "c'est quoi le CAR-T ?", "therapy_kind"),
    ("what is CAR-T", "qu'est-ce que le CAR-T", "therapy_kind"),
])  # fmt: skip
def test_french_answers_give_the_same_values_as_english_ones(
    tagger: TrialTagger, english: str, french: str, requested: str | None
) -> None:
    expected = read(tagger, english, requested)
    assert read(tagger, french, requested) == expected
    # Not vacuous: each pair says something, except where nothing is the answer.
    nothing = {"help me find a clinical trial", "stop", "never mind", "cancel"}
    assert expected or english in nothing or english.startswith("what is")


@pytest.mark.parametrize("text, expected", [
    ("je cherche un essai pour ma mère, elle a 67 ans", "FEMALE"),
    ("mon mari a un lymphome", "MALE"),
    ("pour mon fils de 8 ans", "MALE"),
    ("s'il vous plaît, un essai pour un cancer du poumon", None),
    ("il y a des essais pour le mélanome ?", None),
    ("mon père et ma mère", None),
])  # fmt: skip
def test_the_persons_sex_is_read_only_when_french_words_say_it(
    tagger: TrialTagger, text: str, expected: str | None
) -> None:
    assert read(tagger, text, None).get(PERSON_SEX) == expected


@pytest.mark.parametrize("text", [
    "un essai au sein de l'hôpital",  # "au sein de" is "within", not a breast
    "j'habite dans les Hauts-de-Seine",
    "je cherche un essai pour un proche",
])  # fmt: skip
def test_french_phrases_that_name_no_cancer_or_place_give_nothing(
    tagger: TrialTagger, text: str
) -> None:
    values = read(tagger, text, None)
    assert CANCER_TYPE not in values and TRIAL_PLACE not in values


@pytest.mark.parametrize("english, french, expected", [
    ("he is 58", "il a 58 ans", {AGE: 58.0, PERSON_SEX: "MALE"}),
    ("CAR-T", "les CAR-T", {THERAPY_KIND: "cell-therapy"}),
    ("in France", "en France svp", {TRIAL_PLACE: "country"}),
    ("I'd rather skip this question", "je préfère passer cette question", {CANCER_TYPE: SKIP}),
])  # fmt: skip
def test_at_the_cancer_question_an_answer_to_another_question_is_not_a_cancer_name(
    tagger: TrialTagger, english: str, french: str, expected: dict[str, Any]
) -> None:
    assert read(tagger, english, CANCER_TYPE) == expected
    assert read(tagger, french, CANCER_TYPE) == expected


@pytest.mark.parametrize("text", ["my dad's cholangiocarcinoma", "cholangiocarcinome de mon père"])
def test_a_cancer_we_do_not_know_is_kept_in_the_persons_words_with_who_it_is_for(
    tagger: TrialTagger, text: str
) -> None:
    assert read(tagger, text, CANCER_TYPE) == {CANCER_TYPE: text, PERSON_SEX: "MALE"}
