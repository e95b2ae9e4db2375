"""Rules for text that every layer shares: slugs, control characters, message length."""

from __future__ import annotations

import re
from typing import Any

# An article's stable name: lowercase words joined by dashes ("car-t-cells").
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_CHARS = 80
# Longer messages are refused by the web app and cut by Rasa's channels: no question needs
# more, and the model, the tracker store and the safety nets then do bounded work.
MAX_MESSAGE_CHARS = 2000
# C0 controls except tab and line breaks, DEL, C1 controls, lone surrogates (which cannot
# be encoded as UTF-8) and the two non-characters: none belongs in a chat message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def is_slug(value: str) -> bool:
    """Whether `value` can name an article."""
    return len(value) <= MAX_SLUG_CHARS and SLUG.match(value) is not None


def strip_control(text: str) -> str:
    """`text` with every control character replaced by a space."""
    return _CONTROL.sub(" ", text)


def clean_message(value: Any) -> str:
    """A patient's message as safe text: a string, no control characters, bounded length."""
    if not isinstance(value, str):
        return ""
    return strip_control(value)[:MAX_MESSAGE_CHARS].strip()
