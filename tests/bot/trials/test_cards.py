"""Trial results as cards: each field as data, and the same content as text."""

from __future__ import annotations

import datetime as dt

from bot.kb.answers import to_message
from bot.trials.cards import age_words, phase_words, record_age, trial_card, where_words
from bot.trials.finder import TrialFinder
from bot.trials.search import TrialMatch, TrialQuery
from bot.trials.tables import Trial, TrialLocation

TODAY = dt.date(2026, 11, 29)


def test_each_result_is_a_card_with_every_field_in_the_custom_json(
    trial_finder: TrialFinder,
) -> None:
    message = to_message(trial_finder.results(TrialQuery(cancer="Leukaemia", age=30), 0, TODAY))
    cards = message["custom"]["trials"]
    assert len(cards) == 3
    first = next(c for c in cards if c["nct_id"] == "NCT04789655")
    assert first == {
        "nct_id": "NCT04789655",
        "title": first["title"],
        "title_language": "en",
        "phase": "Phase 1 (first tests in people, for safety and dose)",
        "open": True,
        "status": "Yes, it is looking for people to join.",
        "note": None,
        "where": first["where"],
        "ages": "18 and over",
        "url": "https://clinicaltrials.gov/study/NCT04789655",
        "updated_on": "2023-09-28",
        "record": (
            "Last updated 28 September 2023 (3 years ago). "
            "Its status may have changed: check the trial's page."
        ),
    }
    assert first["title"] and first["where"].startswith("France (")
    assert message["custom"]["kb_article"] == "trial-search"


def test_the_text_holds_one_block_per_card_with_the_same_content(
    trial_finder: TrialFinder,
) -> None:
    message = to_message(trial_finder.results(TrialQuery(cancer="Lung cancer", age=75), 0, TODAY))
    paragraphs = message["text"].split("\n\n")
    [card] = message["custom"]["trials"]
    [block] = [p for p in paragraphs if card["url"] in p]
    assert block.splitlines() == [
        f"1. {card['title']}",
        f"{card['phase']}." if card["phase"] else block.splitlines()[1],
        f"Open to new patients: {card['status']}",
        card["note"],
        f"Where: {card['where']}.",
        f"Ages: {card['ages']}.",
        f"See the trial: {card['url']}",
        card["record"],
    ]
    assert card["note"] == "It is open to many kinds of solid tumour."
    assert paragraphs.index(block) == 1  # after the intro, before what was left out


def test_a_trial_not_yet_open_says_so_and_no_match_has_no_cards(
    trial_finder: TrialFinder,
) -> None:
    answer = to_message(trial_finder.results(TrialQuery(cancer="Bladder cancer", age=60), 0, TODAY))
    statuses = {(c["open"], c["status"]) for c in answer["custom"]["trials"]}
    assert (False, "Not yet, it will look for people soon.") in statuses
    none = to_message(trial_finder.results(TrialQuery(cancer="Lymphoma", age=50), 0, TODAY))
    assert "trials" not in none["custom"]


def test_phase_ages_and_dates_in_plain_words() -> None:
    assert phase_words(["PHASE1", "PHASE2"]) == (
        "Phase 1/2 (first tests in people, for safety and dose, then tests how well it works)"
    )
    assert phase_words(["NA"]) is None
    trial = Trial(
        minimum_age="18 Years",
        minimum_age_years=18.0,
        maximum_age="75 Years",
        maximum_age_years=75.0,
        sex="FEMALE",
        last_update=None,
        data_date=dt.date(2026, 11, 2),
    )
    assert age_words(trial) == "18 to 75, women only"
    assert record_age(trial, TODAY).startswith("Record from 2 November 2026 (this month).")
    trial.data_date = None
    assert record_age(trial, TODAY).startswith("The record has no date")


def test_a_french_card_has_french_words_and_the_title_as_registered(
    trial_finder: TrialFinder,
) -> None:
    query = TrialQuery(cancer="Leukaemia", age=30)
    english = to_message(trial_finder.results(query, 0, TODAY))["custom"]["trials"]
    french = to_message(trial_finder.results(query, 0, TODAY, language="fr"))["custom"]["trials"]
    first = next(c for c in french if c["nct_id"] == "NCT04789655")
    assert first["phase"] == "Phase 1 (premiers tests chez l'humain, pour la sécurité et la dose)"
    assert first["status"] == "Oui, il cherche des personnes pour y participer."
    assert first["ages"] == "18 ans et plus"
    assert first["record"] == (
        "Mise à jour le 28 septembre 2023 (il y a 3 ans). "
        "Son statut a pu changer : vérifiez la page de l'essai."
    )
    assert first["where"].startswith("France (")
    # The record's own words stay as registered, and say which language they are in.
    for en, fr in zip(english, french, strict=True):
        assert (fr["nct_id"], fr["title"], fr["url"], fr["updated_on"], fr["open"]) == (
            en["nct_id"],
            en["title"],
            en["url"],
            en["updated_on"],
            en["open"],
        )
        assert fr["title_language"] == "en"


def test_a_french_card_as_text_has_the_same_content() -> None:
    trial = Trial(
        nct_id="NCT00000001",
        brief_title="A Study",
        phases=["PHASE1", "PHASE2"],
        overall_status="NOT_YET_RECRUITING",
        minimum_age="1 Year",
        minimum_age_years=1.0,
        maximum_age="6 Months",
        maximum_age_years=None,
        sex="MALE",
        last_update=None,
        data_date=dt.date(2026, 10, 1),
    )
    match = TrialMatch(trial=trial, broad=True, sites=[])
    card = trial_card(1, match, "France", TODAY, language="fr")
    assert card.as_text().splitlines() == [
        "1. A Study",
        "Phase 1/2 (premiers tests chez l'humain, pour la sécurité et la dose, "
        "puis teste si le traitement marche bien).",
        "Ouvert aux nouveaux patients : Pas encore, il en cherchera bientôt.",
        "Il est ouvert à de nombreux types de tumeurs solides.",
        "Où : non indiqué dans la fiche.",
        "Âges : de 1 an à 6 mois, hommes seulement.",
        "Voir l'essai (en anglais) : https://clinicaltrials.gov/study/NCT00000001",
        "Fiche du 1er octobre 2026 (il y a 1 mois). "
        "Son statut a pu changer : vérifiez la page de l'essai.",
    ]


def test_where_names_countries_in_french_with_french_punctuation() -> None:
    sites = [
        TrialLocation(country=country, city=city, facility=None)
        for country, city in [
            ("United States", "Boston"),
            ("France", "Paris"),
            ("Korea, Republic of", "Seoul"),
            ("Spain", "Madrid"),
            ("United States", "Duarte"),
        ]
    ]
    assert where_words(sites, "France", language="fr") == (
        "France (Paris) ; États-Unis (Boston, Duarte) ; Corée du Sud (Seoul), et 1 autre pays"
    )
    assert where_words(sites, "France") == (
        "France (Paris); United States (Boston, Duarte); Korea, Republic of (Seoul), "
        "and 1 other country"
    )
