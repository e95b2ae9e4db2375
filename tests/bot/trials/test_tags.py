"""Kinds of immunotherapy from the knowledge base's terms, French ones included."""

from __future__ import annotations

from typing import Any

from bot.trials.tags import CELL_THERAPY, CHECKPOINT, OTHER, TrialTagger, kind_label

FRENCH_ARTICLES = [  # as the French versions of the articles give them (data/kb/fr)
    {"slug": "checkpoint-inhibitors", "terms": {"therapy": ["inhibiteurs de points de contrôle"]}},
    {"slug": "car-t-cells", "terms": {"therapy": ["cellules CAR-T"]}},
    {
        "slug": "other-immunotherapies",
        "terms": {
            "therapy": ["thérapie par TIL", "lymphocytes infiltrant la tumeur", "interféron"]
        },
    },
]


def test_french_terms_name_their_kind_with_or_without_accents() -> None:
    tagger = TrialTagger(FRENCH_ARTICLES)
    assert tagger.kinds_named("inhibiteurs de points de controle") == [CHECKPOINT]
    assert tagger.kinds_named("les cellules CAR T") == [CELL_THERAPY]
    assert tagger.kinds_named("Thérapie par TIL") == [CELL_THERAPY]  # a cell therapy
    assert tagger.kinds_named("des lymphocytes infiltrant la tumeur") == [CELL_THERAPY]
    assert tagger.kinds_named("l'interferon") == [OTHER]  # an elision is a word boundary


def test_each_kind_has_a_name_in_both_languages() -> None:
    assert kind_label(CHECKPOINT) == "Checkpoint inhibitor"
    assert kind_label(CHECKPOINT, language="fr") == "Inhibiteur de points de contrôle"
    assert kind_label("unknown", language="fr") == "unknown"


def test_the_french_versions_tag_no_shipped_record_differently(
    starter_kb: Any, shipped_studies: list[tuple[str, Any]]
) -> None:
    both = TrialTagger(starter_kb.articles)
    english = TrialTagger(a for a in starter_kb.articles if a.get("language", "en") == "en")
    french_words = "vaccins thérapeutiques"  # a term of the French version only
    assert (both.kinds_named(french_words), english.kinds_named(french_words)) == (["vaccine"], [])
    for _, study in shipped_studies:
        interventions = [
            {"name": i.get("name"), "other_names": i.get("otherNames", [])}
            for i in study["protocolSection"]["armsInterventionsModule"]["interventions"]
        ]
        assert both.kinds(interventions) == english.kinds(interventions)
