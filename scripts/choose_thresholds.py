"""Choose the classifier's thresholds by measurement on a development split of data/nlu.

`python -m scripts.choose_thresholds [--config FILE]` splits `data/nlu` 80/20 (fixed seed),
trains the NLU pipeline on the 80 %, parses the 20 % and prints, for each answer threshold,
how many questions get an answer and how many of those are right, and how often the right
topic is among the "did you mean" buttons for the rest. The held-out set in
`tests/data/heldout/` is never read here: it only scores the choice afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import yaml

from bot.kb.topics import URGENT_INTENT
from bot.nlu.decision import Thresholds, classifier_ranking, decide
from bot.safety.urgent_signs import Triage, find_signs
from bot.settings import PROJECT_ROOT as ROOT
from bot.training import rasa_commands
from scripts.nlu_parse import parse_all

OUT = ROOT / "var" / "results" / "dev-split"
# Of the questions answered outright, at least this share right; below the threshold the
# reader gets "did you mean" buttons, which cost a click but never a wrong article.
PRECISION_TARGET = 0.90
# Recall comes first for warning signs, but the learned detector may add at most this
# share of false alarms to those of the words alone, on the development messages.
URGENT_EXTRA_FALSE_ALARMS = 0.01


def _rasa(*args: str) -> None:
    subprocess.run([rasa_commands.RASA, *args], cwd=ROOT, check=True,
                   env=rasa_commands.environment(), capture_output=True)  # fmt: skip


def dev_examples(config: Path) -> list[tuple[str, str]]:
    """Split data/nlu, train on 80 %: (intent, text) of the 20 % left for development."""
    _rasa("data", "split", "nlu", "-u", "data/nlu", "--training-fraction", "0.8",
          "--random-seed", "7", "--out", str(OUT))  # fmt: skip
    _rasa("train", "nlu", "--nlu", str(OUT / "training_data.yml"), "--config", str(config),
          "--out", str(OUT), "--fixed-model-name", "dev")  # fmt: skip
    test = yaml.safe_load((OUT / "test_data.yml").read_text(encoding="utf-8"))
    examples = [
        (block["intent"], line[2:].strip())
        for block in test["nlu"]
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.startswith("- ")
    ]
    return examples


def dev_predictions(examples: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, float]]]]:
    """(right intent, the classifier's ranking) for each development example."""
    parsed = parse_all(OUT / "dev.tar.gz", [text for _, text in examples])
    return [
        (intent, classifier_ranking(p)) for (intent, _), p in zip(examples, parsed, strict=True)
    ]


def curve(rows: list[tuple[str, list[tuple[str, float]]]]) -> list[dict[str, float]]:
    """Coverage and precision for answer thresholds 0.05 .. 0.95."""
    points = []
    for step in range(1, 20):
        thresholds = Thresholds(answer=step / 20)
        decisions = [(right, decide(r, thresholds)) for right, r in rows]
        answered = [right == d.intents[0] for right, d in decisions if d.kind == "answer"]
        offered = [right in d.intents for right, d in decisions if d.kind == "did_you_mean"]
        points.append(
            {
                "threshold": thresholds.answer,
                "answered": len(answered) / len(rows),
                "precision": sum(answered) / len(answered) if answered else 1.0,
                "did_you_mean": len(offered) / len(rows),
                "right_among_offered": sum(offered) / len(offered) if offered else 1.0,
                "right_answer_or_offered": (sum(answered) + sum(offered)) / len(rows),
            }
        )
    return points


def urgent_curve(model: Path, dev: list[tuple[str, str]]) -> list[dict[str, float]]:
    """Recall and false alarms of the learned urgent detector, alone and with the words.

    Dev messages: the word net's phrasings (`tests/data/urgent_phrasings.yml`, not in
    the training data) and the development split's examples.
    """
    phrasings = yaml.safe_load((ROOT / "tests/data/urgent_phrasings.yml").read_text("utf-8"))
    urgent = [i["text"] for i in phrasings["urgent"]]
    urgent += [t for intent, t in dev if intent == URGENT_INTENT]
    calm = [i["text"] for i in phrasings["not_urgent"]]
    calm += [t for intent, t in dev if intent != URGENT_INTENT]
    parsed = parse_all(model, urgent + calm)
    triages = [find_signs(p["text"]) for p in parsed]
    scores = [
        (float(p.get("urgent_probability") or 0), t) for p, t in zip(parsed, triages, strict=True)
    ]
    hot, cold = scores[: len(urgent)], scores[len(urgent) :]

    def learned(p: float, triage: Triage, t: float) -> bool:
        return p >= t and not triage.dismissed  # as rasa_ext.urgent_signs decides

    points = []
    for step in range(1, 20):
        t = step / 20
        points.append(
            {
                "threshold": t,
                "learned_recall": sum(learned(p, w, t) for p, w in hot) / len(hot),
                "with_words_recall": sum(learned(p, w, t) or w.urgent for p, w in hot) / len(hot),
                "learned_false_alarms": sum(learned(p, w, t) for p, w in cold) / len(cold),
                "with_words_false_alarms": sum(learned(p, w, t) or w.urgent for p, w in cold)
                / len(cold),
            }
        )
    return points


ANSWER_COLUMNS = {
    "threshold": "answer threshold",
    "answered": "answered",
    "precision": "right when answered",
    "did_you_mean": "did you mean",
    "right_among_offered": "right topic offered",
    "right_answer_or_offered": "right answer or offered",
}
URGENT_COLUMNS = {
    "threshold": "urgent threshold",
    "learned_recall": "learned recall",
    "with_words_recall": "with the words",
    "learned_false_alarms": "learned false alarms",
    "with_words_false_alarms": "with the words",
}


def markdown(rows: list[dict[str, float]], columns: dict[str, str]) -> str:
    """A Markdown table of `rows` with these columns (key -> heading)."""
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(f"{row[k]:.3f}" for k in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    args = parser.parse_args()
    examples = dev_examples(args.config)
    rows = dev_predictions(examples)
    points = curve(rows)
    top1 = sum(right == r[0][0] for right, r in rows if r) / len(rows)
    print(f"{len(rows)} development questions; top-1 accuracy {top1:.3f}")
    print(markdown(points, ANSWER_COLUMNS))
    chosen = next((p for p in points if p["precision"] >= PRECISION_TARGET), points[-1])
    print(f"lowest threshold with precision >= {PRECISION_TARGET}: {chosen['threshold']:.2f}")
    urgent = urgent_curve(OUT / "dev.tar.gz", examples)
    print(markdown(urgent, URGENT_COLUMNS))
    words_alone = urgent[-1]["with_words_false_alarms"] - urgent[-1]["learned_false_alarms"]
    allowed = [
        u for u in urgent if u["with_words_false_alarms"] <= words_alone + URGENT_EXTRA_FALSE_ALARMS
    ]
    best = max(allowed, key=lambda u: (u["with_words_recall"], u["threshold"]), default=urgent[-1])
    print(f"highest urgent threshold with the best recall, adding at most "
          f"{URGENT_EXTRA_FALSE_ALARMS:.0%} false alarms to the words' "
          f"{words_alone:.1%}: {best['threshold']:.2f}")  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    saved = {"top1": top1, "curve": points, "urgent": urgent}
    (OUT / "curve.json").write_text(json.dumps(saved, indent=2))


if __name__ == "__main__":
    main()
