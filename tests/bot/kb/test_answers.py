"""The source line and custom JSON of an answer: linked sources, honest dates."""

from __future__ import annotations

import datetime as dt

from bot.kb.answers import Source, custom_json, render, to_message

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
