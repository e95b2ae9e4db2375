"""The text rules every layer shares: message cleaning, length, slugs."""

from __future__ import annotations

import pytest

from bot.text import MAX_MESSAGE_CHARS, clean_message, is_slug


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        (42, ""),
        (["a"], ""),
        ("  hello  ", "hello"),
        ("a\x00b\x07c", "a b c"),
        ("line one\nline two", "line one\nline two"),
    ],
)
def test_clean_message(raw: object, expected: str) -> None:
    assert clean_message(raw) == expected


def test_long_messages_are_cut() -> None:
    assert len(clean_message("é" * 100_000)) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize("text", ["a\x85b", "a\ud800b", "a\uffffb", "a\x9bb"])
def test_c1_controls_surrogates_and_non_characters_become_spaces(text: str) -> None:
    assert clean_message(text) == "a b"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("car-t-cells", True),
        ("side-effects", True),
        ("Car-T", False),
        ("a--b", False),
        ("-a", False),
        ("", False),
        ("a" * 81, False),
        ("a" * 80, True),
    ],
)
def test_slugs(value: str, expected: bool) -> None:
    assert is_slug(value) is expected
