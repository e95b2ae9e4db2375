"""The numbers the urgent answer offers as tap-to-call links, built from hospital values.

15 (SAMU) and 112 are always offered. The care team's number is offered only once staff
have set it and it reads as a phone number: while it is unset or still the placeholder,
there is no link for it, never a number made up here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CALLS_KEY = "calls"  # the custom JSON key that carries the calls
# A value a `tel:` link may carry: ASCII digits (not any Unicode digit), an optional "+".
TEL_PATTERN = re.compile(r"\+?[0-9]{2,15}")
# The phone number a staff value starts with: "01 99 00 12 34 (nurses, 9-17 h)" gives
# "01 99 00 12 34". Letters, brackets or a placeholder before it mean no number.
_LEADING_NUMBER = re.compile(r"\s*(\+?[0-9][0-9 .\-]*[0-9])(?![0-9(])")
_MIN_CARE_TEAM_DIGITS = 4  # "15" is the SAMU; a care-team line is longer
_MAX_DIGITS = 15  # the longest international number (E.164)


@dataclass(frozen=True)
class Call:
    """One tap-to-call link: what it says and the number it dials."""

    label: str
    tel: str

    def as_json(self) -> dict[str, str]:
        """The call as the custom JSON carries it."""
        return {"label": self.label, "tel": self.tel}


# The links' labels, English and French side by side.
EMERGENCY_CALL_LABELS = {
    "en": (("Call 15 (SAMU)", "15"), ("Call 112 (emergency)", "112")),
    "fr": (("Appeler le 15 (SAMU)", "15"), ("Appeler le 112 (urgences)", "112")),
}
CARE_TEAM_CALL_LABEL = {
    "en": "Call your care team: {number}",
    "fr": "Appeler votre équipe soignante : {number}",
}
EMERGENCY_CALLS = tuple(Call(label, tel) for label, tel in EMERGENCY_CALL_LABELS["en"])


def care_team_number(value: str | None) -> tuple[str, str] | None:
    """The number a care-team phone value starts with, as written and as dialled.

    Args:
        value: the hospital's `care_team_phone` value (None when unset).

    Returns:
        (the number as staff wrote it, its digits for `tel:`), or None when the value
        does not start with a phone number (unset, a placeholder, "ext. 4021").
    """
    match = _LEADING_NUMBER.match(value or "")
    if not match:
        return None
    written = match.group(1)
    tel = re.sub(r"[ .\-]", "", written)
    digits = len(tel.lstrip("+"))
    if not _MIN_CARE_TEAM_DIGITS <= digits <= _MAX_DIGITS or not TEL_PATTERN.fullmatch(tel):
        return None
    return written, tel


def urgent_calls(values: Mapping[str, str], *, language: str = "en") -> tuple[Call, ...]:
    """The calls the urgent answer opens with, in the order its text gives them.

    The text says to call the care team first, then 15 or 112 if they cannot be
    reached or it is severe; the links follow that order.

    Args:
        values: the hospital values staff have saved (defaults are placeholders).
        language: the language of the labels.
    """
    language = language if language in EMERGENCY_CALL_LABELS else "en"
    number = care_team_number(values.get("care_team_phone"))
    label = CARE_TEAM_CALL_LABEL[language]
    team = (Call(label=label.format(number=number[0]), tel=number[1]),) if number else ()
    return (*team, *(Call(label, tel) for label, tel in EMERGENCY_CALL_LABELS[language]))


def calls_from_json(value: Any) -> list[Call]:
    """The well-formed calls in a custom JSON value; anything else is dropped."""
    calls = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        label, tel = item.get("label"), item.get("tel")
        if isinstance(label, str) and label.strip() and len(label) <= 120:
            if isinstance(tel, str) and TEL_PATTERN.fullmatch(tel):
                calls.append(Call(label=label.strip(), tel=tel))
    return calls
