"""Naming a conversation's language."""

import pytest

from bot.language import DEFAULT_LANGUAGE, LANGUAGES, as_language


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("fr-FR", "fr"),
        ("fr_CA", "fr"),
        (" Français ", "fr"),
        ("en-GB", "en"),
        ("english", "en"),
        ("de", None),
        ("", None),
        (None, None),
        (["fr"], None),
    ],
)
def test_as_language_reads_codes_tags_and_names(value: object, expected: str | None) -> None:
    assert as_language(value) == expected


def test_the_default_is_a_language_we_speak() -> None:
    assert DEFAULT_LANGUAGE in LANGUAGES
