"""`make eval`: NLU 5-fold cross-validation and the urgent net on its test sets."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bot.safety.urgent_signs import assess
from bot.settings import PROJECT_ROOT as ROOT
from bot.training import rasa_commands

OUT = ROOT / "var" / "results"
# Below the FallbackClassifier threshold the reader gets "not understood".
FALLBACK_THRESHOLD = rasa_commands.fallback_threshold(ROOT / "config.yml")


def urgent_net() -> dict[str, float]:
    data = yaml.safe_load((ROOT / "tests/data/urgent_phrasings.yml").read_text(encoding="utf-8"))
    urgent = [assess(item["text"]).urgent for item in data["urgent"]]
    alarms = [assess(item["text"]).urgent for item in data["not_urgent"]]
    return {
        "urgent_phrasings": len(urgent),
        "recall": sum(urgent) / len(urgent),
        "non_urgent_phrasings": len(alarms),
        "false_alarms": sum(alarms),
    }


def _rasa(*args: str) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), *args],
        cwd=ROOT,
        check=True,
        env=rasa_commands.environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def nlu_cross_validation(folds: int = 5) -> dict[str, object]:
    out = OUT / "nlu-cv"
    started = time.monotonic()
    _rasa("test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
          "--folds", str(folds), "--out", str(out))  # fmt: skip
    report = json.loads((out / "intent_report.json").read_text())
    per_intent = {
        k: round(v["f1-score"], 3)
        for k, v in report.items()
        if isinstance(v, dict) and "support" in v and "avg" not in k
    }
    return {
        "folds": folds,
        "intent_macro_f1": report["macro avg"]["f1-score"],
        "intent_accuracy": report["accuracy"],
        "worst_intents": sorted(per_intent.items(), key=lambda kv: kv[1])[:5],
        "seconds": round(time.monotonic() - started),
    }


def answers_at_threshold() -> dict[str, float]:
    """On a fixed 80/20 split: how often it answers, and how often such answers are right.

    Cross-validation keeps no confidences for correct predictions, so this uses one
    held-out split, where Rasa records every prediction.
    """
    out = OUT / "nlu-split"
    _rasa("data", "split", "nlu", "-u", "data/nlu", "--training-fraction", "0.8",
          "--random-seed", "7", "--out", str(out))  # fmt: skip
    _rasa("train", "nlu", "--nlu", str(out / "training_data.yml"), "--config", "config.yml",
          "--out", str(out), "--fixed-model-name", "split")  # fmt: skip
    _rasa("test", "nlu", "--nlu", str(out / "test_data.yml"), "--model", str(out / "split.tar.gz"),
          "--out", str(out / "results"), "--successes")  # fmt: skip
    predictions = [
        (p["intent"] == p["intent_prediction"]["name"], p["intent_prediction"]["confidence"])
        for name in ("intent_successes.json", "intent_errors.json")
        for p in json.loads((out / "results" / name).read_text())
    ]
    answered = [correct for correct, confidence in predictions if confidence >= FALLBACK_THRESHOLD]
    return {
        "held_out_questions": len(predictions),
        "accuracy": sum(c for c, _ in predictions) / len(predictions),
        "answered_share": len(answered) / len(predictions),
        "precision_when_answered": sum(answered) / len(answered),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    results = {
        "urgent_net": urgent_net(),
        "nlu": nlu_cross_validation(),
        "split": answers_at_threshold(),
    }
    (OUT / "eval.json").write_text(json.dumps(results, indent=2))
    net, nlu, split = results["urgent_net"], results["nlu"], results["split"]
    print(
        f"Urgent net: recall {net['recall']:.3f} on {net['urgent_phrasings']} urgent phrasings; "
        f"{net['false_alarms']} false alarms on {net['non_urgent_phrasings']} non-urgent ones"
    )
    print(
        f"NLU {nlu['folds']}-fold cross-validation: intent macro-F1 {nlu['intent_macro_f1']:.3f}, "
        f"accuracy {nlu['intent_accuracy']:.3f} ({nlu['seconds']} s); "
        f"lowest: {nlu['worst_intents']}"
    )
    print(
        f"Held-out 20% ({split['held_out_questions']} questions): "
        f"accuracy {split['accuracy']:.1%}; "
        f"at the fallback threshold {FALLBACK_THRESHOLD} it answers {split['answered_share']:.1%} "
        f"and is right on {split['precision_when_answered']:.1%} of those (the rest get "
        "'not understood' with the main topics)"
    )


if __name__ == "__main__":
    main()
