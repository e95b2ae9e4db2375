"""Country names from trial records, said in French."""

from __future__ import annotations

import pytest

from bot.trials.countries import country_name, in_country


@pytest.mark.parametrize("record, name, said", [
    ("France", "France", "en France"),
    ("United States", "États-Unis", "aux États-Unis"),
    ("Korea, Republic of", "Corée du Sud", "en Corée du Sud"),
    ("Japan", "Japon", "au Japon"),
    ("Canada", "Canada", "au Canada"),
    ("Netherlands", "Pays-Bas", "aux Pays-Bas"),
    ("Israel", "Israël", "en Israël"),
    ("Singapore", "Singapour", "à Singapour"),
    ("Mexico", "Mexique", "au Mexique"),
    ("Atlantis", "Atlantis", "dans ce pays (Atlantis)"),  # unknown: kept, no preposition
])  # fmt: skip
def test_a_records_country_is_said_in_french(record: str, name: str, said: str) -> None:
    assert country_name(record, language="fr") == name
    assert in_country(record, language="fr") == said


def test_english_keeps_the_records_spelling() -> None:
    assert country_name("Korea, Republic of") == "Korea, Republic of"
    assert in_country("France") == "in France"
