"""The urgent net's vocabulary file: the shipped one loads; each kind of mistake names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.urgent_signs import SIGN_IDS, VOCABULARY_FILE
from bot.safety.vocabulary import REQUIRED_CUES, VocabularyError, load_vocabulary

SHIPPED = VOCABULARY_FILE.read_text(encoding="utf-8")


def test_the_shipped_vocabulary_loads_with_every_cue() -> None:
    vocabulary = load_vocabulary(VOCABULARY_FILE, SIGN_IDS)
    assert set(REQUIRED_CUES) <= set(vocabulary.cues)
    assert {"fever", "breathing", "neuro", "_bowel"} <= set(vocabulary.patterns)
    assert "not" in vocabulary.cues["neg"]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    assert old in SHIPPED
    text = SHIPPED.replace(old, new, 1)
    path = tmp_path / "urgent_signs.yml"
    path.write_text(text, encoding="utf-8")
    return path, _line_of(text, new.splitlines()[0])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('    - "can|ca not"', '    - "{cnat} breathe"', "{cnat} is not one of the macros"),
        ('    - "run a|high? {temp}"', '    - "run a||high {temp}"', "empty or malformed"),
        ('    - "run a|high? {temp}"', "    - 42", "must be text"),
        ('    - "run a|high? {temp}"', '    - "   "', "a phrase is empty"),
        ("  fever:\n", "  fevre:\n", "'fevre' is not a warning-sign id"),
        ("  filler: a an the", "  filler:\n    - a", "write the words on one line"),
        ("  neg: not no", "  neg: not no\n  neg: again", "'neg' appears twice"),
    ],
)
def test_a_bad_entry_names_its_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    path, line = _broken(tmp_path, old, new)
    if "appears twice" in message:
        line = _line_of(path.read_text(encoding="utf-8"), "  neg: again")
    with pytest.raises(VocabularyError) as refused:
        load_vocabulary(path, SIGN_IDS)
    assert str(refused.value).startswith(f"urgent_signs.yml:{line}: ")
    assert message in str(refused.value)


def test_a_missing_cue_list_or_section_is_named(tmp_path: Path) -> None:
    path = tmp_path / "urgent_signs.yml"
    path.write_text(SHIPPED.replace("  urine_words:", "  urine_wordz:"), encoding="utf-8")
    with pytest.raises(VocabularyError, match="the cue list 'urine_words' is missing"):
        load_vocabulary(path, SIGN_IDS)
    path.write_text(SHIPPED.split("\ncues:\n")[0], encoding="utf-8")
    with pytest.raises(VocabularyError, match="the 'cues:' section is missing"):
        load_vocabulary(path, SIGN_IDS)


def test_broken_yaml_and_a_missing_file_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "urgent_signs.yml"
    path.write_text('macros:\n  cant: ["can|ca not"\n', encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"urgent_signs.yml:\d+: not valid YAML"):
        load_vocabulary(path, SIGN_IDS)
    with pytest.raises(VocabularyError, match="Cannot read"):
        load_vocabulary(tmp_path / "absent.yml", SIGN_IDS)
