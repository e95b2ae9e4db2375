"""The urgent net's vocabulary: a YAML file a clinician can read and edit, checked on load.

The file (`urgent_signs.yml`, documented in its header) is read once per process when the
urgent net is first imported, so a mistake stops the assistant at start-up, with the line
to fix, rather than silently weakening the safety net.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import Refused

SECTIONS = ("macros", "patterns", "cues")
REQUIRED_CUES = (
    "neg",
    "pseudo_neg",
    "resolved",
    "personal",
    "q_words",
    "hypo_cue",
    "hypo_verb",
    "filler",
    "clause_break",
    "bowel_weak",
    "urine_words",
)
REQUIRED_MACROS = ("sev",)  # the code reads the severity words on their own too
_NAME = re.compile(r"^\w+$")
_MACRO_USE = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"^=?[^\s|=?{}]+$")


class VocabularyError(Refused):
    """The vocabulary file cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Vocabulary:
    """The checked contents of the vocabulary file."""

    macros: dict[str, list[str]]
    patterns: dict[str, list[str]]  # label -> phrases
    cues: dict[str, frozenset[str]]


def error_at(path: Path, node: yaml.Node, message: str) -> VocabularyError:
    """The error for a bad entry, naming the file and the entry's line."""
    return VocabularyError(f"{path.name}:{node.start_mark.line + 1}: {message}")


def named_entries(path: Path, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """The (name, key node, value node) entries of a YAML mapping, names checked."""
    if not isinstance(node, yaml.MappingNode):
        raise error_at(path, node, f"{what} must be a list of 'name:' entries")
    pairs = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not _NAME.match(str(key.value)):
            raise error_at(path, key, f"{key.value!r} is not a name (letters, digits, _)")
        if key.value in {k for k, _, _ in pairs}:
            raise error_at(path, key, f"{key.value!r} appears twice in {what}")
        pairs.append((str(key.value), key, value))
    return pairs


def _phrases(path: Path, node: yaml.Node, name: str, macros: Collection[str]) -> list[str]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise error_at(path, node, f"{name}: list its phrases, one per line starting with '- '")
    phrases = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or item.tag != "tag:yaml.org,2002:str":
            raise error_at(path, item, f"{name}: each phrase must be text (put it in quotes)")
        phrase = " ".join(str(item.value).split())
        if not phrase:
            raise error_at(path, item, f"{name}: a phrase is empty")
        for macro in _MACRO_USE.findall(phrase):
            if macro not in macros:
                raise error_at(path, item, f"{name}: {{{macro}}} is not one of the macros")
        for token in _MACRO_USE.sub("x", phrase).split():
            _check_token(path, item, name, token)
        phrases.append(phrase)
    return phrases


def _check_token(path: Path, node: yaml.Node, name: str, token: str) -> None:
    spec = token[:-1] if len(token) > 1 and token.endswith("?") else token
    if spec == "_" or spec == "-":
        return
    for word in spec.split("|"):
        if not _WORD.match(word):
            raise error_at(path, node, f"{name}: {token!r} has an empty or malformed alternative")


def read_sections(path: Path, names: Collection[str]) -> dict[str, yaml.Node]:
    """Read a vocabulary file's top-level sections, each required, no others.

    Raises:
        VocabularyError: the file is missing, is not YAML, or its sections are wrong.
    """
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise VocabularyError(f"Cannot read {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise VocabularyError(f"{path.name}{line}: not valid YAML ({error})") from error
    if root is None:
        raise VocabularyError(f"{path.name}: the file is empty")
    sections = {name: value for name, _, value in named_entries(path, root, "the file")}
    for name in names:
        if name not in sections:
            raise VocabularyError(f"{path.name}: the '{name}:' section is missing")
    for name, node in sections.items():
        if name not in names:
            known = ", ".join(names)
            raise error_at(path, node, f"unknown section {name!r} (known: {known})")
    return sections


def load_vocabulary(path: Path, sign_ids: Collection[str]) -> Vocabulary:
    """Read and check the vocabulary file.

    Args:
        path: the YAML file.
        sign_ids: the stable ids a pattern label may have (others start with "_").

    Raises:
        VocabularyError: the file is missing, is not YAML, or has a bad entry; the
            message names the line.
    """
    sections = read_sections(path, SECTIONS)
    macro_nodes = named_entries(path, sections["macros"], "macros")
    names = {name for name, _, _ in macro_nodes}
    macros = {name: _phrases(path, node, name, ()) for name, _, node in macro_nodes}
    for name in REQUIRED_MACROS:
        if name not in macros:
            raise error_at(path, sections["macros"], f"the macro {name!r} is missing")
    patterns = {}
    for label, key, node in named_entries(path, sections["patterns"], "patterns"):
        if not label.startswith("_") and label not in sign_ids:
            known = ", ".join(sorted(sign_ids))
            raise error_at(path, key, f"{label!r} is not a warning-sign id (known: {known})")
        patterns[label] = _phrases(path, node, label, names)
    cues = {}
    for name, key, node in named_entries(path, sections["cues"], "cues"):
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise error_at(path, key, f"{name}: write the words on one line, separated by spaces")
        cues[name] = frozenset(str(node.value).lower().split())
    for name in REQUIRED_CUES:
        if name not in cues:
            raise error_at(path, sections["cues"], f"the cue list {name!r} is missing")
    return Vocabulary(macros, patterns, cues)
