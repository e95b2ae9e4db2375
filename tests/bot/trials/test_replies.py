"""The trial finder in French: the same trials as in English, in French words."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import textstat

from bot.kb.answers import Answer, to_message
from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.kb.store import ArticleStore
from bot.settings import Settings
from bot.trials import replies
from bot.trials.finder import TrialFinder
from bot.trials.form import AGE, CANCER_TYPE, PERSON_SEX, QUESTION_ORDER, THERAPY_KIND, TRIAL_PLACE
from bot.trials.search import ANY, ANYWHERE, TrialQuery

TODAY = dt.date(2026, 11, 29)


def shown_ids(answer: Answer) -> list[str]:
    return list(dict.fromkeys(re.findall(r"NCT\d{8}", answer.text)))


def fill_form(finder: TrialFinder, answers: tuple[str, ...]) -> dict[str, Any]:
    """The slots after answering each question in turn, as the form asks them."""
    slots: dict[str, Any] = {}
    for slot, text in zip(QUESTION_ORDER, answers, strict=False):
        slots.update(finder.read(text, slot))
    return slots


def query_from(slots: dict[str, Any]) -> TrialQuery:
    """The query `ActionShowTrials` builds from the slots."""
    return TrialQuery(
        cancer=str(slots[CANCER_TYPE]),
        age=float(slots[AGE]),
        sex=slots.get(PERSON_SEX),
        kind=slots.get(THERAPY_KIND) or ANY,
        place=slots.get(TRIAL_PLACE) or ANYWHERE,
    )


@pytest.mark.parametrize("english, french", [
    (("lung cancer", "60", "any kind", "anywhere"),
     ("cancer du poumon", "60 ans", "peu importe", "n'importe où")),
    (("leukaemia", "30", "CAR-T", "in France"),
     ("leucémie", "30 ans", "thérapie cellulaire", "en France")),
    (("Leukaemia", "30", "I don't mind", "skip"),
     ("Leucémie", "30", "aucune importance", "passer")),
    (("AML", "he is 40", "any", "anywhere"), ("LAM", "il a 40 ans", "n'importe lequel", "partout")),
    (("bladder cancer", "75", "checkpoint inhibitor", "skip"),
     ("cancer de la vessie", "75 ans", "inhibiteurs de points de contrôle", "passer")),
    (("liver cancer", "50", "vaccine", "anywhere"),
     ("cancer du foie", "50", "vaccin", "peu importe")),
    (("leukemia", "she is 10", "any", "Paris"), ("leucemie", "elle a 10 ans", "tous", "Paris")),
    (("lung", "71", "immunotherapy", "at this hospital"),
     ("poumon", "71 ans", "immunothérapie", "dans cet hôpital")),
    (("melanoma", "50", "any", "anywhere"), ("mélanome", "50 ans", "peu importe", "partout")),
    (("lymphoma", "50", "any", "anywhere"), ("lymphome", "50 ans", "peu importe", "partout")),
])  # fmt: skip
def test_french_answers_find_the_same_trials_in_the_same_order(
    trial_finder: TrialFinder, english: tuple[str, ...], french: tuple[str, ...]
) -> None:
    slots = fill_form(trial_finder, english)
    assert fill_form(trial_finder, french) == slots
    query = query_from(slots)
    for offset in (0, 3, 6):
        in_english = trial_finder.results(query, offset, TODAY)
        in_french = trial_finder.results(query, offset, TODAY, language="fr")
        assert shown_ids(in_french) == shown_ids(in_english)
        cards = [to_message(a)["custom"].get("trials", []) for a in (in_english, in_french)]
        assert [c["nct_id"] for c in cards[1]] == [c["nct_id"] for c in cards[0]]
        assert [b.payload for b in in_french.buttons] == [b.payload for b in in_english.buttons]


def test_french_questions_have_french_buttons_with_the_english_payloads(
    trial_finder: TrialFinder,
) -> None:
    for slot in QUESTION_ORDER:
        english = trial_finder.question(slot)
        french = trial_finder.question(slot, language="fr")
        assert [b.payload for b in french.buttons] == [b.payload for b in english.buttons]
        assert french.text != english.text
    cancer = trial_finder.question(CANCER_TYPE, language="fr")
    assert cancer.text.startswith("De quel type de cancer s'agit-il ?")
    assert [(b.title, b.payload) for b in cancer.buttons][:2] == [
        ("Leucémie", "Leukaemia"),
        ("Cancer du poumon", "Lung cancer"),
    ]
    place = trial_finder.question(TRIAL_PLACE, language="fr")
    assert [b.title for b in place.buttons] == [
        "Ici (Institut Curie)",
        "En France",
        "N'importe où",
        "Arrêter la recherche",
    ]
    kinds = trial_finder.question(THERAPY_KIND, language="fr")
    assert kinds.buttons[0].title == "Inhibiteur de points de contrôle"
    assert kinds.buttons[-2].title == "Peu importe"


@pytest.mark.parametrize("slot", QUESTION_ORDER)
def test_each_french_button_reads_back_to_what_its_payload_gives(
    trial_finder: TrialFinder, slot: str
) -> None:
    for button in trial_finder.question(slot, language="fr").buttons[:-1]:
        assert trial_finder.read(button.title, slot) == trial_finder.read(button.payload, slot)


def test_a_french_answer_says_its_language_in_the_custom_json(trial_finder: TrialFinder) -> None:
    query = TrialQuery(cancer="Leukaemia", age=30)
    for answer in (
        trial_finder.results(query, 0, TODAY, language="fr"),
        trial_finder.results(TrialQuery(cancer="Lymphoma", age=50), 0, TODAY, language="fr"),
        trial_finder.question(AGE, language="fr"),
        replies.stopped(language="fr"),
    ):
        assert to_message(answer)["custom"]["language"] == "fr"
    assert to_message(trial_finder.results(query, 0, TODAY))["custom"]["language"] == "en"


# English words that are not also French words: none may be left in a French reply.
ENGLISH_WORDS = {
    "the", "and", "or", "of", "to", "you", "your", "trial", "trials", "found", "left", "out",
    "here", "it", "is", "are", "were", "was", "not", "with", "for", "open", "yes", "where",
    "ages", "age", "see", "record", "last", "updated", "may", "more", "results", "join", "new",
    "search", "any", "kind", "what", "how", "old", "women", "men", "only",
    "years", "months", "ago", "this", "month", "list", "our", "no", "please", "at", "in",
    "there", "them", "they", "can", "who", "that", "do", "does", "want", "pick", "say",
    "anywhere", "country", "given", "over", "up", "first", "people", "other",
    "leukaemia", "lung", "bladder", "liver", "cell", "therapy", "checkpoint", "inhibitor",
    "vaccine", "antibody", "bispecific", "immunotherapy", "phase", "from",
}  # fmt: skip


def english_words_in(answer: Answer) -> set[str]:
    """English words in the answer's own words (not the records' titles, links, hospital values)."""
    text = answer.full_text
    for card in to_message(answer)["custom"].get("trials", []):
        text = text.replace(card["title"], " ")
    for value in HOSPITAL_DEFAULTS.values():
        text = text.replace(value, " ")
    text = re.sub(r"https://\S+|ClinicalTrials\.gov", " ", text)
    words = {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}
    words |= {w.lower() for b in answer.buttons for w in re.findall(r"[A-Za-zÀ-ÿ]+", b.title)}
    return (words & ENGLISH_WORDS) - {"phase"}  # "phase" is French too


def french_replies(finder: TrialFinder) -> list[Answer]:
    queries = [
        TrialQuery(cancer="Leukaemia", age=30),
        TrialQuery(cancer="Lung cancer", age=75),
        TrialQuery(cancer="Lung cancer", age=60, kind="vaccine", place="country"),
        TrialQuery(cancer="Leukaemia", age=30, kind="cell-therapy"),
        TrialQuery(cancer="Acute myeloid leukaemia (AML)", age=40, place="hospital"),
        TrialQuery(cancer="Bladder cancer", age=12),
        TrialQuery(cancer="Bladder cancer", age=60, sex="MALE"),
        TrialQuery(cancer="Lymphoma", age=50),
        TrialQuery(cancer="cholangiocarcinome", age=50),
    ]
    answers = [
        finder.results(q, offset, TODAY, language="fr") for q in queries for offset in (0, 3)
    ]
    answers += [finder.question(slot, language="fr") for slot in QUESTION_ORDER]
    return [*answers, replies.stopped(language="fr")]


def test_no_english_word_is_left_in_a_french_reply_except_the_trial_records(
    trial_finder: TrialFinder,
) -> None:
    for answer in french_replies(trial_finder):
        assert english_words_in(answer) == set(), answer.text


def test_the_french_texts_and_explanations_are_in_french() -> None:
    texts = [
        replies.needed(CANCER_TYPE, language="fr"),
        replies.needed(AGE, language="fr"),
        replies.bad_age(language="fr"),
        replies.changed(AGE, 58.0, language="fr"),
        replies.changed(CANCER_TYPE, "Lung cancer", language="fr"),
    ]
    assert texts[3] == "D'accord, j'ai changé l'âge : 58 ans."
    assert texts[4] == "D'accord, j'ai changé le type de cancer : Cancer du poumon."
    for text in texts:
        assert not {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)} & ENGLISH_WORDS


def test_french_results_say_the_records_are_in_english_and_give_french_facts(
    trial_finder: TrialFinder,
) -> None:
    answer = trial_finder.results(TrialQuery(cancer="Leukaemia", age=30), 0, TODAY, language="fr")
    assert answer.text.startswith(
        "J'ai trouvé 6 essais dans notre liste qui peuvent convenir (Leucémie, 30 ans). "
        "Voici les essais 1 à 3, les meilleurs d'abord. "
        "Les fiches des essais sont en anglais, comme sur ClinicalTrials.gov."
    )
    assert "Voir l'essai (en anglais) : https://clinicaltrials.gov/study/NCT04789655" in answer.text
    assert "Où : France (" in answer.text
    assert "Âges : 18 ans et plus." in answer.text
    assert "Mise à jour le 28 septembre 2023 (il y a 3 ans)." in answer.text
    assert "Seule l'équipe de l'essai peut décider qui peut y participer." in answer.text
    assert answer.full_text.endswith(
        "Source : ClinicalTrials.gov (Bibliothèque nationale de médecine des États-Unis) ; "
        "la date de chaque fiche est indiquée plus haut."
    )
    assert [b.title for b in answer.buttons] == [
        "Plus de résultats",
        "Entrer dans un essai clinique",
        "Nouvelle recherche",
    ]
    aged = trial_finder.results(TrialQuery(cancer="Lung cancer", age=75), 0, TODAY, language="fr")
    assert "2 essais ne sont pas montrés à cause de leurs limites d'âge (âge : 75 ans)." in (
        aged.text
    )
    assert "Il est ouvert à de nombreux types de tumeurs solides." in aged.text


def test_french_no_match_says_why_and_where_else_to_look(trial_finder: TrialFinder) -> None:
    answer = trial_finder.results(TrialQuery(cancer="Lymphoma", age=50), 0, TODAY, language="fr")
    assert "Je n'ai trouvé aucun essai dans notre liste" in answer.text
    assert "Notre liste n'a aucun essai pour ce cancer (Lymphome)." in answer.text
    assert "elle contient 17 fiches d'essais" in answer.text
    # ClinicalTrials.gov is searched with the English name, which it knows.
    assert "https://clinicaltrials.gov/search?cond=Lymphoma" in answer.text
    assert "« Registre des essais cliniques en cancérologie »" in answer.text
    here = trial_finder.results(
        TrialQuery(cancer="Acute myeloid leukaemia (AML)", age=40, place="hospital"),
        0,
        TODAY,
        language="fr",
    )
    assert "3 essais ne sont pas montrés : ils n'ont pas de centre ici (Institut Curie)." in (
        here.text
    )


def test_the_french_words_are_plain_by_a_french_formula() -> None:
    """Flesch reading ease with French constants: each text >= 60, all together >= 80.

    The kb check's French target: 60-70 is Flesch's grade 8-9, 80-90 grade 6.
    """
    french = textstat.textstat.__class__()  # an instance of its own: the global stays English
    french.set_lang("fr")
    texts = [
        *replies.QUESTION_TEXTS["fr"].values(),
        *replies.NEEDED_TEXTS["fr"].values(),
        replies.NEXT_STEPS_TEXTS["fr"],
        replies.STOPPED_TEXTS["fr"],
        replies.BAD_AGES["fr"],
    ]
    for text in texts:
        assert french.flesch_reading_ease(text) >= 60, text
    assert french.flesch_reading_ease(" ".join(texts)) >= 80


def test_a_database_that_is_down_gives_the_unavailable_answer_in_french(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    finder = TrialFinder(ArticleStore.from_settings(settings, check=False).session_factory)
    answer = finder.results(TrialQuery(cancer="Lung cancer", age=60), language="fr")
    assert answer.text.startswith("Désolé, je ne peux pas chercher mes réponses")
    assert finder.question(TRIAL_PLACE, language="fr").text.startswith("Où doit avoir lieu")
