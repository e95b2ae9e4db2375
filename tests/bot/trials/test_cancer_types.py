"""Cancer types in both languages: each name reads back to its type, records keep their tags."""

from __future__ import annotations

from typing import Any

import pytest

from bot.language import LANGUAGES
from bot.trials.cancer_types import (
    CANCER_TYPES,
    display_name,
    find_cancer_types,
    label,
    most_specific,
)
from bot.trials.folding import fold


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_type_has_a_name_in_each_language_that_reads_back_to_it(language: str) -> None:
    for cancer in CANCER_TYPES:
        name = label(cancer.key, language=language)
        assert name and name == cancer.labels[language]
        assert most_specific(find_cancer_types(name)) == [cancer.key], name


def test_every_type_has_french_words_written_without_accents() -> None:
    for cancer in CANCER_TYPES:
        assert cancer.words["fr"], cancer.key
        for word in cancer.words["fr"]:
            assert fold(word) == word.lower(), word


def test_the_slot_value_is_shown_in_the_conversations_language() -> None:
    assert display_name("Lung cancer", language="fr") == "Cancer du poumon"
    assert display_name("Lung cancer and Melanoma", language="fr") == "Cancer du poumon et Mélanome"
    assert display_name("Lung cancer", language="en") == "Lung cancer"
    assert display_name("cholangiocarcinome", language="fr") == "cholangiocarcinome"


# The tags of the shipped records, before French words were added: the French words
# must not tag an English record differently.
SHIPPED_TAGS = {
    "NCT00184067": ["melanoma"],
    "NCT03937544": ["leukaemia", "acute-lymphoblastic-leukaemia"],
    "NCT03955198": ["lung"],
    "NCT04272125": ["leukaemia", "acute-myeloid-leukaemia"],
    "NCT04789655": ["leukaemia", "acute-myeloid-leukaemia"],
    "NCT05078931": ["lung"],
    "NCT05086315": [
        "leukaemia",
        "acute-myeloid-leukaemia",
        "acute-lymphoblastic-leukaemia",
        "myelodysplastic",
    ],
    "NCT05164042": ["leukaemia"],
    "NCT05798663": ["lung"],
    "NCT05816499": ["lung"],
    "NCT05879653": ["bladder"],
    "NCT05883644": ["liver"],
    "NCT05907980": ["solid-tumours"],
    "NCT06094296": ["lung"],
    "NCT06111625": ["leukaemia", "acute-lymphoblastic-leukaemia"],
    "NCT06751849": ["lung"],
    "NCT06751901": ["lung"],
}


def test_french_words_tag_no_shipped_record_differently(
    shipped_studies: list[tuple[str, Any]],
) -> None:
    tags = {}
    for _, study in shipped_studies:
        protocol = study["protocolSection"]
        conditions = protocol.get("conditionsModule", {})
        words = conditions.get("conditions", []) + conditions.get("keywords", [])
        tags[protocol["identificationModule"]["nctId"]] = find_cancer_types(" ; ".join(words))
    assert tags == SHIPPED_TAGS
