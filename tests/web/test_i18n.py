"""The interface catalogue: both languages for every text, and how a page picks one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.language import LANGUAGES
from web.i18n import TEXTS, page_language, placeholders, preferred_language, say, strings_json

WEB = Path(__file__).resolve().parents[2] / "web"


def test_every_text_has_both_languages_with_the_same_placeholders() -> None:
    for key, versions in TEXTS.items():
        assert set(versions) == set(LANGUAGES), key
        assert all(v.strip() for v in versions.values()), key
        assert placeholders(versions["en"]) == placeholders(versions["fr"]), key


def test_french_texts_say_vous_and_name_the_french_emergency_numbers() -> None:
    french = " ".join(v["fr"] for v in TEXTS.values())
    assert not re.search(r"\b(tu|ton|ta|tes)\b", french), "readers are addressed as vous"
    assert "15 (SAMU)" in say("emergency", "fr") and "112" in say("emergency", "fr")
    assert "114" in say("emergency", "fr") and "114" in say("emergency", "en")


@pytest.mark.parametrize("template", sorted(p.name for p in (WEB / "templates").glob("*.html")))
def test_templates_take_their_words_from_the_catalogue(template: str) -> None:
    source = (WEB / "templates" / template).read_text(encoding="utf-8")
    used = set(re.findall(r"ui\.(\w+)", source)) | set(re.findall(r'data-i18n="(\w+)"', source))
    assert used <= set(TEXTS), used - set(TEXTS)
    # No English sentence left between tags: every visible word is a catalogue text.
    stripped = re.sub(r"{[{%#].*?[}%#]}", "", source, flags=re.DOTALL)
    between = [t.strip() for t in re.findall(r">([^<]+)<", stripped)]
    assert [t for t in between if re.search(r"[A-Za-z]{3,}", t)] == [], template


def test_the_scripts_keys_are_in_the_catalogue() -> None:
    for script in ("chat.js", "chat-render.js"):
        source = (WEB / "static" / script).read_text(encoding="utf-8")
        keys = set(re.findall(r'(?:say|text)\("(\w+)"', source)) - {"unavailable"}
        assert keys and keys <= set(TEXTS), (script, keys - set(TEXTS))


def test_the_pages_strings_hold_both_languages() -> None:
    strings = json.loads(strings_json())
    assert set(strings) == set(LANGUAGES)
    assert strings["fr"]["start_over"] == "Recommencer"
    assert strings["en"]["start_over"] == "Start over"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4", "fr"),  # German first: we speak neither
        ("en;q=0.2, fr;q=0.8", "fr"),  # the weight wins, not the order
        ("fr;q=0.5, en;q=0.5", "fr"),  # equal weights: the first listed
        ("FR-ca", "fr"),
        ("fr;q=0, en;q=0.1", "en"),  # q=0: "not French"
        ("de, es", None),
        ("*", None),
        ("fr;q=abc", None),
        ("", None),
        (None, None),
        ("x" * 10_000, None),
    ],
)
def test_the_browser_preference_is_read_from_accept_language(
    header: str | None, expected: str | None
) -> None:
    assert preferred_language(header) == expected


def test_lang_in_the_address_wins_over_the_browser() -> None:
    from starlette.requests import Request

    def request(query: str, accept: str) -> Request:
        headers = [(b"accept-language", accept.encode())]
        return Request({"type": "http", "query_string": query.encode(), "headers": headers})

    assert page_language(request("lang=fr", "en")) == "fr"
    assert page_language(request("lang=en", "fr-FR")) == "en"
    assert page_language(request("lang=de", "fr-FR")) == "fr"  # unknown: the browser's
    assert page_language(request("", "de")) == "en"  # neither: English
