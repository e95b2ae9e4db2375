"""Ranking, exclusions and the rendered results, on the 17 shipped records."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.kb.reading_level import MAX_GRADE, reading_grade
from bot.kb.store import ArticleStore
from bot.settings import PROJECT_ROOT, Settings
from bot.trials import replies
from bot.trials.ctgov_import import import_studies
from bot.trials.finder import TrialFinder, sites_from, tagger_from
from bot.trials.search import TrialQuery, TrialSearch, find_trials

SITES = sites_from(dict(HOSPITAL_DEFAULTS))
TODAY = dt.date(2026, 11, 29)
LUNG_OPEN = ["NCT06751849", "NCT06751901"]
LUNG_CLOSED = ["NCT03955198", "NCT05078931", "NCT05798663", "NCT05816499", "NCT06094296"]


def search(finder: TrialFinder, **query: Any) -> TrialSearch:
    with finder.session_factory() as session:
        return find_trials(session, TrialQuery(**query), SITES)


def ids(result: TrialSearch) -> list[str]:
    return [m.trial.nct_id for m in result.matches]


def test_lung_cancer_finds_nsclc_trials_then_the_solid_tumour_trial(
    trial_finder: TrialFinder,
) -> None:
    result = search(trial_finder, cancer="lung cancer", age=60)
    assert ids(result) == [*LUNG_OPEN, "NCT05907980"]
    assert [m.broad for m in result.matches] == [False, False, True]
    assert result.closed == len(LUNG_CLOSED)


def test_closed_completed_and_terminated_trials_are_never_offered(
    trial_finder: TrialFinder,
) -> None:
    offered = {
        nct
        for cancer in ("lung", "melanoma", "leukaemia", "liver", "bladder")
        for nct in ids(search(trial_finder, cancer=cancer, age=50))
    }
    assert offered.isdisjoint(LUNG_CLOSED + ["NCT00184067"])
    assert search(trial_finder, cancer="melanoma", age=50).closed == 1


def test_age_outside_the_limits_excludes_and_is_counted(trial_finder: TrialFinder) -> None:
    result = search(trial_finder, cancer="lung cancer", age=71)
    assert ids(result) == ["NCT05907980"]  # the NSCLC vaccine trials stop at 70
    assert result.excluded_by_age == 2
    assert ids(search(trial_finder, cancer="lung cancer", age=70))[:2] == LUNG_OPEN


def test_a_child_only_sees_the_leukaemia_trials_open_to_children(
    trial_finder: TrialFinder,
) -> None:
    result = search(trial_finder, cancer="leukaemia", age=10)
    assert sorted(ids(result)) == ["NCT04272125", "NCT05086315"]  # from 3 and 1 years
    assert result.excluded_by_age == 4


def test_leukaemia_finds_every_leukemia_record_and_aml_only_the_myeloid_ones(
    trial_finder: TrialFinder,
) -> None:
    assert len(ids(search(trial_finder, cancer="leukaemia", age=30))) == 6
    aml = ids(search(trial_finder, cancer="AML", age=30))
    assert sorted(aml) == ["NCT04272125", "NCT04789655", "NCT05086315"]


def test_trials_with_a_site_in_the_hospital_country_rank_first(
    trial_finder: TrialFinder,
) -> None:
    ranked = ids(search(trial_finder, cancer="leukaemia", age=30))
    assert set(ranked[:2]) == {"NCT04789655", "NCT05086315"}  # French sites


def test_the_kind_filter_keeps_only_that_kind(trial_finder: TrialFinder) -> None:
    result = search(trial_finder, cancer="leukaemia", age=30, kind="cell-therapy")
    assert sorted(ids(result)) == ["NCT03937544", "NCT04272125", "NCT05164042"]
    assert result.other_kind == 3


def test_the_place_filter_keeps_the_sites_there(trial_finder: TrialFinder) -> None:
    in_france = search(trial_finder, cancer="leukaemia", age=30, place="country")
    assert sorted(ids(in_france)) == ["NCT04789655", "NCT05086315"]
    assert {site.country for m in in_france.matches for site in m.sites} == {"France"}
    here = search(trial_finder, cancer="leukaemia", age=30, place="hospital")
    assert here.matches == [] and here.elsewhere == 6  # no shipped record is at Curie


def _variant(nct_id: str, new_id: str, **changes: Any) -> dict[str, Any]:
    record = json.loads((PROJECT_ROOT / "data" / "trials" / f"{nct_id}.json").read_text())
    record = copy.deepcopy(record)
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = new_id
    for path, value in changes.items():
        module, key = path.split("__")
        protocol[module][key] = value
    return record


def test_recruiting_ranks_before_not_yet_recruiting_whatever_the_date(
    trial_finder: TrialFinder, session: Session
) -> None:
    older = _variant("NCT05883644", "NCT99999991", statusModule__overallStatus="RECRUITING")
    older["derivedSection"]["miscInfoModule"]["versionHolder"] = "2020-01-01"
    import_studies(session, [("x", older)], tagger_from(session))
    session.commit()
    assert ids(search(trial_finder, cancer="liver cancer", age=50)) == [
        "NCT99999991",
        "NCT05907980",  # recruiting, open to many solid tumours
        "NCT05883644",  # not yet recruiting
    ]


def test_sex_outside_a_trial_excludes_it(trial_finder: TrialFinder, session: Session) -> None:
    women = _variant("NCT05879653", "NCT99999992", statusModule__overallStatus="RECRUITING")
    women["protocolSection"]["eligibilityModule"]["sex"] = "FEMALE"
    import_studies(session, [("x", women)], tagger_from(session))
    session.commit()
    assert search(trial_finder, cancer="bladder", age=50, sex="MALE").excluded_by_sex == 1
    assert "NCT99999992" in ids(search(trial_finder, cancer="bladder", age=50, sex="FEMALE"))
    assert "NCT99999992" in ids(search(trial_finder, cancer="bladder", age=50))


def test_an_unknown_cancer_finds_nothing_and_says_so(trial_finder: TrialFinder) -> None:
    result = search(trial_finder, cancer="banana", age=50)
    assert result.matches == [] and result.for_cancer == 0


# The rendered answer


def shown_ids(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"NCT\d{8}", text)))


def test_results_show_three_best_first_with_plain_words_links_and_record_age(
    trial_finder: TrialFinder,
) -> None:
    answer = trial_finder.results(TrialQuery(cancer="Leukaemia", age=30), 0, TODAY)
    assert answer.slug == "trial-search"
    assert len(shown_ids(answer.text)) == 3
    assert "I found 6 trials in our list that may fit (Leukaemia, age 30)" in answer.text
    assert "See the trial: https://clinicaltrials.gov/study/NCT04789655" in answer.text
    assert "Phase 1 (first tests in people, for safety and dose)." in answer.text
    assert "Open to new patients: Yes, it is looking for people to join." in answer.text
    assert "Where: France (" in answer.text
    assert "Ages: 18 and over." in answer.text
    assert "Last updated 28 September 2023 (3 years ago)." in answer.text
    assert "only the trial team can decide who can join" in answer.text
    assert "[clinical-trials contact - to be set by hospital staff]" in answer.text
    assert [b.payload for b in answer.buttons] == [
        "/more_trials",
        "/ask_joining_a_trial",
        "/ask_trial_search",
    ]
    assert answer.source and "ClinicalTrials.gov" in answer.source


def test_more_results_continue_where_the_first_page_stopped(trial_finder: TrialFinder) -> None:
    query = TrialQuery(cancer="Leukaemia", age=30)
    first = shown_ids(trial_finder.results(query, 0, TODAY).text)
    second = trial_finder.results(query, 3, TODAY)
    assert len(shown_ids(second.text)) == 3
    assert set(first).isdisjoint(shown_ids(second.text))
    assert "Here are 4 to 6" in second.text
    assert "/more_trials" not in [b.payload for b in second.buttons]
    done = trial_finder.results(query, 6, TODAY)
    assert shown_ids(done.text) == [] and "no more trials" in done.text


def test_results_say_when_age_limits_removed_trials(trial_finder: TrialFinder) -> None:
    answer = trial_finder.results(TrialQuery(cancer="Lung cancer", age=75), 0, TODAY)
    assert "2 trials were left out because of their age limits (age 75)." in answer.text
    assert "5 trials were closed to new people, so not shown." in answer.text
    assert shown_ids(answer.text) == ["NCT05907980"]
    assert "It is open to many kinds of solid tumour." in answer.text


def test_no_match_says_why_and_where_else_to_look(trial_finder: TrialFinder) -> None:
    answer = trial_finder.results(TrialQuery(cancer="Lymphoma", age=50), 0, TODAY)
    assert shown_ids(answer.text) == []
    assert "I found no trial in our list that may fit" in answer.text
    assert "Our list has no trial for lymphoma." in answer.text
    assert "holds 17 trial records from ClinicalTrials.gov" in answer.text
    assert "https://clinicaltrials.gov/search?cond=Lymphoma" in answer.text
    assert "e-cancer.fr" in answer.text
    aged = trial_finder.results(TrialQuery(cancer="Bladder cancer", age=12), 0, TODAY)
    assert "2 trials were left out because of their age limits (age 12)." in aged.text
    here = trial_finder.results(TrialQuery(cancer="AML", age=40, place="hospital"), 0, TODAY)
    assert "3 trials were left out: they have no site at Institut Curie." in here.text


def test_questions_offer_buttons_from_the_open_trials(trial_finder: TrialFinder) -> None:
    cancer = trial_finder.question("cancer_type")
    titles = [b.title for b in cancer.buttons]
    assert titles[0] == "Leukaemia"  # 6 open trials; subtypes are not offered apart
    assert not any("(AML)" in title for title in titles)
    assert "Lung cancer" in titles and "Melanoma" not in titles  # melanoma's trial is closed
    place = trial_finder.question("trial_place")
    assert [b.title for b in place.buttons] == [
        "At Institut Curie",
        "In France",
        "Anywhere",
        "Stop the search",
    ]
    assert len(trial_finder.question("therapy_kind").buttons) == 7  # 5 kinds, any, stop
    assert [b.payload for b in trial_finder.question("age").buttons] == ["/stop"]


def test_a_database_that_is_down_gives_the_unavailable_answer(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    finder = TrialFinder(ArticleStore.from_settings(settings, check=False).session_factory)
    answer = finder.results(TrialQuery(cancer="Lung cancer", age=60))
    assert "cannot look up my answers right now" in answer.text
    assert finder.question("trial_place").text.startswith("Where should the trial")


def test_the_finders_own_words_are_plain() -> None:
    texts = [
        *replies.QUESTIONS.values(),
        *replies.NEEDED.values(),
        replies.NEXT_STEPS,
        replies.STOPPED,
        replies.BAD_AGE,
    ]
    grade = reading_grade(" ".join(texts))
    assert grade <= MAX_GRADE
