"""Personal-advice net: spots a request for advice about one person's own care.

Like the urgent net it reads only the text and is deterministic. Its phrases live in
`advice_signs.yml`, a file a clinician can review; each needs a person ("I", "my dad",
"she"), so general questions keep their article. A warning sign outranks it: the
pipeline runs the urgent net after this one.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.safety.vocabulary import VocabularyError, error_at, named_entries, read_sections

log = logging.getLogger(__name__)

VOCABULARY_FILE = Path(__file__).with_name("advice_signs.yml")
MAX_CHARS = 2000  # requests are short; the start of a long paste says what it asks
GAPS = {"...": r"(?:\S+ ){0,5}", "_": r"(?:\S+ )?"}
END = "$"
_SPEC = re.compile(r"^[a-z0-9'_\-]+\*?$")
_MACRO = re.compile(r"^\{(\w+)\}$")


@dataclass(frozen=True)
class AdviceCheck:
    """Outcome of one check: the kinds of request found (names from the file), in order."""

    kinds: tuple[str, ...]

    @property
    def personal(self) -> bool:
        """True when the message asks for personal medical advice."""
        return bool(self.kinds)


def plain(text: object) -> str:
    """Lower case, no accents, words separated by single spaces (apostrophes kept)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKD", text[:MAX_CHARS].replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+(?:['\-][a-z0-9]+)*", text))


def _word(spec: str) -> str:
    """One alternative as a regex: `_` joins words, a trailing `*` allows any ending."""
    body = re.escape(spec.rstrip("*")).replace("_", " ")
    return body + (r"[a-z0-9'\-]*" if spec.endswith("*") else "")


def _compile(path: Path, node: yaml.Node, phrase: str, macros: dict[str, list[str]]) -> str:
    parts = []
    for token in phrase.split():
        if token in GAPS:
            parts.append(GAPS[token])
            continue
        if token == END:
            parts.append("$")
            continue
        macro = _MACRO.match(token)
        if macro and macro.group(1) not in macros:
            raise error_at(path, node, f"{{{macro.group(1)}}} is not one of the macros")
        words = macros[macro.group(1)] if macro else token.split("|")
        for word in words:
            if not _SPEC.match(word):
                raise error_at(path, node, f"{word!r} in {phrase!r} is not a word")
        parts.append("(?:" + "|".join(_word(w) for w in words) + ") ")
    return "".join(parts)


def _texts(path: Path, node: yaml.Node, name: str) -> list[str]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise error_at(path, node, f"{name}: list its entries, one per line starting with '- '")
    texts = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise error_at(path, item, f"{name}: each entry must be text (put it in quotes)")
        texts.append(" ".join(str(item.value).lower().split()))
    return texts


@functools.lru_cache(maxsize=4)
def load_phrases(path: Path = VOCABULARY_FILE) -> dict[str, re.Pattern[str]]:
    """Read and compile the file: one regex per kind of request.

    Raises:
        VocabularyError: the file is missing, is not YAML, or has a bad entry (its line).
    """
    sections = read_sections(path, ("macros", "phrases"))
    macros = {
        name: _texts(path, node, name)
        for name, _, node in named_entries(path, sections["macros"], "macros")
    }
    compiled = {}
    for kind, _, node in named_entries(path, sections["phrases"], "phrases"):
        items = node.value if isinstance(node, yaml.SequenceNode) else []
        patterns = [
            _compile(path, item, phrase, macros)
            for item, phrase in zip(items, _texts(path, node, kind), strict=True)
        ]
        # Matched on " text ", so every phrase starts and ends on a whole word.
        compiled[kind] = re.compile(" (?:" + "|".join(patterns) + ")")
    if not compiled:
        raise VocabularyError(f"{path.name}: 'phrases:' lists no kind of request")
    return compiled


def check_advice(text: object) -> AdviceCheck:
    """Find the kinds of personal-advice request in `text` (any value is accepted).

    Errors are not caught here: the Rasa component that calls this logs and counts them,
    and tests see them.
    """
    words = f" {plain(text)} "
    return AdviceCheck(tuple(k for k, p in load_phrases().items() if p.search(words)))
