"""The languages the assistant speaks, and how a conversation's language is named.

Each conversation has one language at a time (slot `language`): the page's switch, a
nurse's `?lang=` link or the channel's `{"language": ...}` metadata set it, else the first
message's language is detected. Everything a reader sees is chosen by it.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
# What a person or a browser may call a language: "fr", "FR", "fr-FR", "français".
_NAMES = {
    "en": "en",
    "english": "en",
    "anglais": "en",
    "fr": "fr",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
}


def as_language(value: object) -> str | None:
    """The language code `value` names ("fr-FR" -> "fr"), or None if it names none we speak."""
    if not isinstance(value, str):
        return None
    name = value.strip().lower()
    return _NAMES.get(name) or _NAMES.get(name.split("-")[0].split("_")[0])
