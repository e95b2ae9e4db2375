"""The source line and custom JSON of an answer: linked sources, honest dates."""

from __future__ import annotations

import datetime as dt

from bot.kb.answers import (
    DID_YOU_MEAN_TEXTS,
    LAST_UPDATED,
    UNAVAILABLES,
    URGENT_FALLBACKS,
    Source,
    custom_json,
    did_you_mean,
    is_source_line,
    render,
    to_message,
    unavailable,
    urgent_fallback,
)
from bot.language import LANGUAGES

SOURCES = [
    {"name": "US National Cancer Institute, CAR T Cells", "url": "https://www.cancer.gov/car-t"},
    {"name": "European Medicines Agency, Yescarta", "url": "https://www.ema.europa.eu/yescarta"},
]


def test_an_unsigned_article_shows_its_sources_and_last_updated_only() -> None:
    answer = render(
        "car-t-cells", "Text.", values={}, sources=SOURCES, updated_on=dt.date(2026, 12, 7)
    )
    assert answer.source_line == (
        "Source: US National Cancer Institute, CAR T Cells; European Medicines Agency, "
        "Yescarta. Last updated 7 December 2026."
    )
    assert "http" not in to_message(answer)["text"]  # the chat text keeps names only
    assert custom_json(answer) == {
        "kb_article": "car-t-cells",
        "urgent": False,
        "sources": SOURCES,
        "updated_on": "2026-12-07",
        "language": "en",
    }


def test_a_signed_off_article_adds_its_clinical_review_date() -> None:
    answer = render(
        "car-t-cells",
        "Text.",
        values={},
        sources=SOURCES[:1],
        updated_on=dt.date(2026, 12, 1),
        signed_off_on=dt.date(2026, 12, 3),
    )
    assert answer.source_line is not None
    assert answer.source_line.endswith(
        "Last updated 1 December 2026. Clinically reviewed on 3 December 2026."
    )
    custom = custom_json(answer)
    assert custom["clinically_reviewed_on"] == "2026-12-03"
    assert custom["updated_on"] == "2026-12-01"


def test_a_source_without_a_link_keeps_its_name_and_a_null_url() -> None:
    answer = render(
        "greeting",
        "Hello.",
        values={},
        sources=[{"name": "Written by the assistant's team"}, {"url": "https://x.org"}],
    )
    assert answer.sources == (Source("Written by the assistant's team"),)
    assert custom_json(answer)["sources"] == [
        {"name": "Written by the assistant's team", "url": None}
    ]
    assert answer.source_line == "Source: Written by the assistant's team."


def test_a_french_article_has_french_labels_and_dates_and_says_its_language() -> None:
    answer = render(
        "car-t-cells",
        "Texte.",
        values={},
        sources=SOURCES[:1],
        updated_on=dt.date(2026, 12, 7),
        signed_off_on=dt.date(2026, 2, 1),
        language="fr",
    )
    assert answer.source_line == (
        "Source : US National Cancer Institute, CAR T Cells. Mis à jour le 7 décembre 2026. "
        "Relu par un professionnel de santé le 1 février 2026."
    )
    assert is_source_line(answer.source_line) and is_source_line("Source: NCI.")
    assert custom_json(answer)["language"] == "fr"
    assert custom_json(did_you_mean({"car-t-cells": "CAR-T"}, language="fr"))["language"] == "fr"


def test_every_built_in_text_has_english_and_french_side_by_side() -> None:
    for texts in (URGENT_FALLBACKS, UNAVAILABLES, DID_YOU_MEAN_TEXTS, LAST_UPDATED):
        assert set(texts) == set(LANGUAGES)
    for language in LANGUAGES:
        urgent = urgent_fallback({}, language=language)
        assert "15 (SAMU)" in urgent.text and "112" in urgent.text
        assert {c.tel for c in urgent.calls} == {"15", "112"}
        assert "112" in unavailable(language=language).text
    assert unavailable(language="fr").text.startswith("Désolé")
