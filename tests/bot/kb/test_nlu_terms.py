"""The spaCy pipeline and the NLU synonyms built from the knowledge-base terms."""

from __future__ import annotations

from pathlib import Path

import spacy
import yaml

from bot.kb.files import KnowledgeBase
from bot.kb.nlu_terms import build_pipeline, nlu_terms_yaml


def test_saved_pipeline_finds_terms_with_their_kind(
    starter_kb: KnowledgeBase, tmp_path: Path
) -> None:
    assert build_pipeline(starter_kb.articles, tmp_path / "kb") > 50
    nlp = spacy.load(tmp_path / "kb")
    doc = nlp("Can KEYTRUDA cause a rash, and what about Kymriah?")
    found = {(e.text, e.label_, e.ent_id_) for e in doc.ents}
    assert ("KEYTRUDA", "drug", "checkpoint-inhibitors") in found
    assert ("Kymriah", "drug", "car-t-cells") in found
    assert any(label == "side_effect" for _, label, _ in found)
    assert [t.lemma_ for t in nlp("side effects")][1] == "effect"


def test_synonyms_map_every_term_to_its_slug(starter_kb: KnowledgeBase) -> None:
    data = yaml.safe_load(nlu_terms_yaml(starter_kb.articles))
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    lookups = {item["lookup"] for item in data["nlu"] if "lookup" in item}
    assert "- Keytruda" in synonyms["checkpoint-inhibitors"].splitlines()
    assert lookups == {"therapy", "drug", "side_effect", "cancer_type"}


FRENCH = [
    {"slug": "immunotherapy-basics", "terms": {"therapy": ["immunotherapy"]}},
    {"slug": "immunotherapy-basics", "language": "fr", "terms": {"therapy": ["immunothérapie"]}},
    {"slug": "car-t-cells", "terms": {"therapy": ["CAR-T"]}},
    {"slug": "car-t-cells", "language": "fr", "terms": {"therapy": ["cellules CAR-T"]}},
]


def test_french_terms_are_found_after_an_elision(tmp_path: Path) -> None:
    build_pipeline(FRENCH, tmp_path / "kb")
    nlp = spacy.load(tmp_path / "kb")
    for text, term, slug in [
        ("C'est quoi l'immunothérapie ?", "immunothérapie", "immunotherapy-basics"),
        ("Les effets de l’immunothérapie", "immunothérapie", "immunotherapy-basics"),
        ("Le traitement d'une CAR-T", "CAR-T", "car-t-cells"),
        ("Qu'est-ce que les cellules CAR-T ?", "cellules CAR-T", "car-t-cells"),
    ]:
        assert [(e.text, e.ent_id_) for e in nlp(text).ents] == [(term, slug)], text
    # English contractions are tokenized as before.
    assert [t.text for t in nlp("It's 5 o'clock, don't worry")][:2] == ["It", "'s"]
    assert "o'clock" in [t.text for t in nlp("It's 5 o'clock")]


def test_french_terms_become_synonyms_of_their_slug() -> None:
    data = yaml.safe_load(nlu_terms_yaml(FRENCH))
    synonyms = {item["synonym"]: item["examples"] for item in data["nlu"] if "synonym" in item}
    assert "- immunothérapie" in synonyms["immunotherapy-basics"].splitlines()
    assert "- cellules CAR-T" in synonyms["car-t-cells"].splitlines()
