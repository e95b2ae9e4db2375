"""One understanding model for English and French, or one per language? Measured.

`python -m scripts.compare_models` trains an English-only and a French-only
(`fr_*.yml`) NLU model on the generated training data (`var/training/data`, from
`make train`), each with the knowledge-base terms, beside the trained assistant
(`models/assistant.tar.gz`, both languages). Each language's held-out set is then parsed by
its own model and by the shared one, and scored the way the actions decide (answer,
"did you mean", the urgent and advice nets), kind by kind. The held-out sets only score:
nothing here changes with them. Results go to `var/results/compare/compare.json`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.kb.topics import URGENT_INTENT, intent_for_slug
from bot.nlu.decision import classifier_ranking, decide, thresholds_from_config
from bot.settings import PROJECT_ROOT as ROOT
from bot.training import rasa_commands
from scripts.nlu_parse import parse_all

OUT = ROOT / "var" / "results" / "compare"
TRAINING = ROOT / "var" / "training"
HELDOUT = {"en": ROOT / "tests" / "data" / "heldout", "fr": ROOT / "tests" / "data" / "heldout-fr"}
SHARED = ("kb_terms.yml",)  # synonyms and lookup tables, read by both languages


def is_french(path: Path) -> bool:
    """Whether a training file holds French examples."""
    return path.name.startswith("fr_") or path.name.endswith("_fr.yml")


VARIANTS: dict[str, Callable[[Path], bool]] = {
    "en": lambda p: not is_french(p),
    "fr": lambda p: is_french(p) or p.name in SHARED,
}


def train(name: str, keep: Callable[[Path], bool]) -> Path:
    """Train the NLU pipeline on the training files `keep` selects; the model's path."""
    data = OUT / name
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    for path in sorted((TRAINING / "data").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if keep(path) and "nlu:" in text:
            shutil.copy(path, data / path.name)
    subprocess.run(
        [rasa_commands.RASA, "train", "nlu", "--nlu", str(data), "--config", "config.yml",
         "--out", str(OUT), "--fixed-model-name", name],
        cwd=ROOT, check=True, env=rasa_commands.environment(), capture_output=True,
    )  # fmt: skip
    return OUT / f"{name}.tar.gz"


def expected_intent(kind: str, item: dict[str, str]) -> str:
    """The intent a right understanding gives."""
    return {
        "urgent": URGENT_INTENT,
        "advice": intent_for_slug("personal-advice"),
        "out_of_scope": intent_for_slug("out-of-scope"),
    }.get(kind) or intent_for_slug(item.get("slug", ""))


def is_right(kind: str, item: dict[str, str], parse: dict[str, Any]) -> bool:
    """Right first: the nets' verdict for warning signs and advice, else the decision."""
    intent = (parse.get("intent") or {}).get("name")
    if kind == "not_urgent":
        return intent != URGENT_INTENT
    want = expected_intent(kind, item)
    if intent in (URGENT_INTENT, intent_for_slug("personal-advice")) or kind == "urgent":
        return intent == want
    decision = decide(classifier_ranking(parse), thresholds_from_config(ROOT / "config.yml"))
    return decision.kind == "answer" and decision.intents[0] == want


def score(model: Path, folder: Path) -> dict[str, float]:
    """Share right first, per kind of held-out message."""
    sets = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["messages"]
        for p in sorted(folder.glob("*.yml"))
    }
    items = [(kind, item) for kind, messages in sets.items() for item in messages]
    parses = parse_all(model, [item["text"] for _, item in items])
    shares: dict[str, list[bool]] = {}
    for (kind, item), parse in zip(items, parses, strict=True):
        shares.setdefault(kind, []).append(is_right(kind, item, parse))
    return {kind: sum(rights) / len(rights) for kind, rights in shares.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    models = {name: train(name, keep) for name, keep in VARIANTS.items()}
    models["both"] = ROOT / "models" / "assistant.tar.gz"
    results = {
        language: {
            "own model": score(models[language], folder),
            "one model": score(models["both"], folder),
        }
        for language, folder in HELDOUT.items()
    }
    (OUT / "compare.json").write_text(json.dumps(results, indent=2))
    for language, rows in results.items():
        kinds = list(rows["one model"])
        print(f"\n{language}: | model | " + " | ".join(kinds) + " |")
        for name, shares in rows.items():
            print(f"| {name} | " + " | ".join(f"{shares[k]:.3f}" for k in kinds) + " |")


if __name__ == "__main__":
    main()
