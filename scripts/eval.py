"""`make eval`: NLU 5-fold cross-validation and the urgent net on its test sets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.triage import assess  # noqa: E402

OUT = ROOT / "var" / "results"
FALLBACK_THRESHOLD = 0.6  # config.yml FallbackClassifier: below it the reader gets "not understood"


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


def nlu_cross_validation(folds: int = 5) -> dict[str, float]:
    out = OUT / "nlu-cv"
    started = time.monotonic()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text())
    predictions = [
        (p["intent"] == p["intent_prediction"]["name"], p["intent_prediction"]["confidence"])
        for name in ("intent_successes.json", "intent_errors.json")
        for p in json.loads((out / name).read_text())
    ]
    answered = [correct for correct, confidence in predictions if confidence >= FALLBACK_THRESHOLD]
    return {
        "answered_share": len(answered) / len(predictions),
        "precision_when_answered": sum(answered) / len(answered),
        "folds": folds,
        "intent_macro_f1": report["macro avg"]["f1-score"],
        "intent_accuracy": report["accuracy"],
        "worst_intents": sorted(
            (
                (k, round(v["f1-score"], 3))
                for k, v in report.items()
                if isinstance(v, dict)
                and "support" in v
                and k not in ("macro avg", "weighted avg", "micro avg")
            ),
            key=lambda kv: kv[1],
        )[:5],
        "seconds": round(time.monotonic() - started),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"urgent_net": urgent_net(), "nlu": nlu_cross_validation()}
    (OUT / "eval.json").write_text(json.dumps(results, indent=2))
    net, nlu = results["urgent_net"], results["nlu"]
    print(
        f"Urgent net: recall {net['recall']:.3f} on {net['urgent_phrasings']} urgent phrasings; "
        f"{net['false_alarms']} false alarms on {net['non_urgent_phrasings']} non-urgent ones"
    )
    print(
        f"NLU {nlu['folds']}-fold cross-validation: intent macro-F1 {nlu['intent_macro_f1']:.3f}, "
        f"accuracy {nlu['intent_accuracy']:.3f} ({nlu['seconds']} s); "
        f"lowest: {nlu['worst_intents']}"
    )


if __name__ == "__main__":
    main()
