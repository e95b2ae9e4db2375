"""The held-out set stays held out, and the story tests do not replay training examples.

A score means something only on messages the model and the nets were not written from:
these tests fail when a held-out message (normalised: case, accents, punctuation and spaces
ignored) appears in the training data, the staff examples or the urgent net's vocabulary
tests, or when a test story's user turn is a training example.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.kb.topics import REQUIRED_SLUGS
from bot.settings import PROJECT_ROOT as ROOT

HELDOUT = ROOT / "tests" / "data" / "heldout"
# The French set, written before any French training example (issue 15): at least 350
# messages with the English set's kinds, in about its proportions.
HELDOUT_FR = ROOT / "tests" / "data" / "heldout-fr"
MINIMUM_FR = {
    "topics": 190,
    "urgent": 45,
    "not_urgent": 28,
    "advice": 30,
    "out_of_scope": 28,
    "social": 24,
}
# kind -> smallest number of messages the set must hold
MINIMUM = {
    "topics": 160,
    "urgent": 60,
    "not_urgent": 40,
    "advice": 40,
    "out_of_scope": 40,
    "social": 30,
}


def normalised(text: str) -> str:
    """Lower case, no accents, letters and digits only, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def heldout_messages(folder: Path = HELDOUT) -> dict[str, list[dict[str, str]]]:
    """Each held-out file's messages, by kind (the file's name)."""
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
        for path in sorted(folder.glob("*.yml"))
    }


def all_heldout_messages() -> list[dict[str, str]]:
    """The English and the French held-out messages."""
    return [m for folder in (HELDOUT, HELDOUT_FR) for ms in heldout_messages(folder).values()
            for m in ms]  # fmt: skip


def training_texts(nlu_dir: Path) -> set[str]:
    """Every normalised example in the NLU files (the staff examples file lives there too)."""
    texts = set()
    for path in nlu_dir.glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    # Strip entity markup: [keytruda](drug) reads "keytruda".
                    plain = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                    texts.add(normalised(plain))
    return texts


def story_turns() -> list[str]:
    stories = []
    for path in sorted((ROOT / "tests" / "data" / "stories").glob("*.yml")):
        stories += yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
    phrasings = yaml.safe_load((ROOT / "tests/data/urgent_phrasings.yml").read_text("utf-8"))
    turns = [step["user"] for story in stories for step in story["steps"] if "user" in step]
    return turns + [item["text"] for items in phrasings.values() for item in items]


def test_every_kind_has_enough_messages() -> None:
    counts = {kind: len(messages) for kind, messages in heldout_messages().items()}
    assert counts.keys() == MINIMUM.keys()
    assert all(counts[kind] >= least for kind, least in MINIMUM.items()), counts
    assert sum(counts.values()) >= 450


def test_topic_messages_cover_every_answerable_topic_five_times() -> None:
    messages = heldout_messages()
    expected = [m["slug"] for kind in ("topics", "social") for m in messages[kind]]
    assert set(expected) <= set(REQUIRED_SLUGS)
    per_slug = collections.Counter(expected)
    answerable = set(REQUIRED_SLUGS) - {
        "urgent-symptoms",
        "personal-advice",
        "out-of-scope",
        "not-understood",
    }
    assert {slug for slug in answerable if per_slug[slug] < 5} == set()


def test_warning_signs_cover_every_category() -> None:
    signs = collections.Counter(m["sign"] for m in heldout_messages()["urgent"])
    assert len(signs) >= 15 and min(signs.values()) >= 3, signs


def test_the_french_set_has_every_kind_topic_and_sign() -> None:
    messages = heldout_messages(HELDOUT_FR)
    counts = {kind: len(found) for kind, found in messages.items()}
    assert counts.keys() == MINIMUM_FR.keys()
    assert all(counts[kind] >= least for kind, least in MINIMUM_FR.items()), counts
    assert sum(counts.values()) >= 350
    english = heldout_messages()
    for kind in ("topics", "social"):
        assert {m["slug"] for m in messages[kind]} == {m["slug"] for m in english[kind]}
    assert {m["sign"] for m in messages["urgent"]} == {m["sign"] for m in english["urgent"]}


def test_no_heldout_message_is_written_twice() -> None:
    texts = [normalised(m["text"]) for m in all_heldout_messages()]
    assert [t for t, n in collections.Counter(texts).items() if n > 1] == []


def test_no_heldout_message_is_a_training_example_or_a_tuning_phrasing() -> None:
    seen = training_texts(ROOT / "data" / "nlu") | {normalised(t) for t in story_turns()}
    leaked = [m["text"] for m in all_heldout_messages() if normalised(m["text"]) in seen]
    assert leaked == []


def test_no_story_turn_is_a_training_example() -> None:
    examples = training_texts(ROOT / "data" / "nlu")
    replayed = [turn for turn in story_turns() if normalised(turn) in examples]
    assert replayed == []


@pytest.mark.parametrize(
    ("example", "heldout"),
    [
        ("- What is [Keytruda](drug)?", "what is keytruda"),
        ("- Effets secondaires de l'immunothérapie", "effets secondaires de l immunotherapie"),
    ],
)
def test_the_overlap_check_sees_through_markup_case_and_accents(
    tmp_path: Path, example: str, heldout: str
) -> None:
    (tmp_path / "x.yml").write_text(
        f"nlu:\n- intent: ask_x\n  examples: |\n    {example}\n", encoding="utf-8"
    )
    assert normalised(heldout) in training_texts(tmp_path)
