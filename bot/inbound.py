"""What a chat channel passes on to Rasa: the patient's words and the metadata we use.

Rasa reads a message that starts with "/" as a coded intent (`/intent@0.9{"entity": ...}`),
skipping the understanding pipeline, the urgent net included, and it logs the whole
message when the code does not parse. The bot's own buttons send exactly `/<intent>`
(see `bot.kb.answers` and `bot.trials.replies`), so that form, for an intent the domain
declares, is the only one that keeps its "/"; any other "/" message is read as words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from bot.language import LANGUAGES

# Rasa's own prefix (INTENT_MESSAGE_PREFIX); Rasa strips whitespace before testing it.
_PREFIX = "/"
# A button payload: a slash and an intent name, nothing else (no entities, no confidence).
_PAYLOAD = re.compile(r"/([a-z][a-z0-9_]*)")


def button_intent(text: str, intents: Collection[str]) -> str | None:
    """The intent `text` asks for if it is exactly a button payload of a known intent."""
    match = _PAYLOAD.fullmatch(text.strip())
    return match.group(1) if match and match.group(1) in intents else None


def as_words(text: str, intents: Collection[str]) -> str:
    """`text` as Rasa should read it: a button payload, or words with no leading "/".

    Args:
        text: the cleaned message.
        intents: the intents the domain declares (a payload must name one of them).

    Returns:
        `text` unchanged unless it starts with "/" (after spaces) and is not exactly a
        known payload; then the text without its leading slashes and spaces.
    """
    stripped = text.strip()
    if not stripped.startswith(_PREFIX) or button_intent(stripped, intents):
        return text
    while stripped[:1] == _PREFIX or stripped[:1].isspace():
        stripped = stripped[1:]
    return stripped


def kept_metadata(metadata: Any) -> dict[str, str] | None:
    """The metadata Rasa may store: `{"language": "en"|"fr"}` at most; the rest is dropped.

    A channel's metadata goes into the tracker store with every message, so anything
    else (any size, any content) would be kept forever for nothing.
    """
    if not isinstance(metadata, Mapping):
        return None
    language = metadata.get("language")
    return {"language": language} if language in LANGUAGES else None
