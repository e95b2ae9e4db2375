"""Readable differences between two versions of an article, word by word."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The fields shown in diffs, in the order of the files.
DIFF_FIELDS = (
    "title",
    "group",
    "answer",
    "details",
    "related",
    "terms",
    "sources",
    "updated_on",
    "status",
)


@dataclass(frozen=True)
class FieldDiff:
    """How one field changed: (op, text) pieces, op being equal, insert or delete."""

    field: str
    pieces: tuple[tuple[str, str], ...]


def field_text(value: Any) -> str:
    """A field's value as text for a diff (lists comma-separated, terms one kind a line)."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):  # sources
        return "\n".join(" | ".join(str(x) for x in v.values() if x) for v in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "\n".join(f"{k}: {', '.join(map(str, v))}" for k, v in value.items())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


_TOKEN = re.compile(r"\w[\w'-]*|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """A word-level diff of two texts (words, spaces and punctuation are the units)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("insert", "".join(b[j1:j2])))
    return tuple(pieces)


def diff_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[FieldDiff]:
    """The fields that differ between two versions, each as a word-level diff."""
    old = old or {}
    diffs = []
    for name in DIFF_FIELDS:
        if old.get(name) in (None, "", [], {}) and new.get(name) in (None, "", [], {}):
            continue
        if old.get(name) == new.get(name):
            continue  # equal values (terms in another order are the same terms)
        before, after = field_text(old.get(name)), field_text(new.get(name))
        diffs.append(FieldDiff(name, word_diff(before, after)))
    return diffs
