"""`make eval`: the trained assistant on the held-out set, and NLU cross-validation.

The held-out messages (`tests/data/heldout/` in English, `tests/data/heldout-fr/` in
French; never trained or tuned on) go one by one,
each in a new conversation, to the real Rasa server and action server: the same code a
reader's message meets. What came back (the custom JSON: article, "did you mean", urgent)
is scored per kind and per language. The nets are also scored alone on the same
messages. Results go to `var/results/eval.json` and to the "make eval" sections of
docs/benchmarks.md (one per language), with the misses, so a reviewer sees what went
wrong and not only how often.

`python -m scripts.eval --heldout-only` skips the cross-validation (5 trainings).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.kb.topics import URGENT_INTENT, URGENT_SLUG
from bot.safety.advice_signs import check_advice
from bot.safety.urgent_signs import find_signs
from bot.settings import PROJECT_ROOT as ROOT
from bot.training import rasa_commands
from tests.support.stack import Stack, prepare_database, running_stack

OUT = ROOT / "var" / "results"
MODEL = ROOT / "models" / "assistant.tar.gz"
HELDOUT = {"en": ROOT / "tests" / "data" / "heldout", "fr": ROOT / "tests" / "data" / "heldout-fr"}
DOC = ROOT / "docs" / "benchmarks.md"
# Where each language's report goes in DOC (English first: its markers predate French).
MARKERS = {
    "en": ("<!-- make eval: start -->", "<!-- make eval: end -->"),
    "fr": ("<!-- make eval fr: start -->", "<!-- make eval fr: end -->"),
}
# kind -> (what a right outcome is, target share); see `right()`.
TARGETS = {
    "topics": 0.95,
    "urgent": 1.00,
    "not_urgent": 0.99,
    "advice": 0.90,
    "out_of_scope": 0.85,
    "social": 0.95,
}


@dataclass(frozen=True)
class Outcome:
    """What the assistant answered one message with."""

    article: str | None
    offered: tuple[str, ...]
    urgent: bool

    def describe(self) -> str:
        """A short label for the misses table."""
        if self.offered:
            return "did you mean " + ", ".join(self.offered)
        return self.article or "no answer"


def outcome(reply: list[dict[str, Any]]) -> Outcome:
    """Read the custom JSON that travels with the answer."""
    customs = [m["custom"] for m in reply if isinstance(m.get("custom"), dict)]
    article = next((c["kb_article"] for c in customs if c.get("kb_article")), None)
    offered = next((tuple(c["did_you_mean"]) for c in customs if c.get("did_you_mean")), ())
    urgent = any(c.get("urgent") for c in customs) or article == URGENT_SLUG
    return Outcome(article, offered, urgent)


def expected(kind: str, item: dict[str, str]) -> str:
    """The article a right answer names."""
    return {
        "urgent": URGENT_SLUG,
        "advice": "personal-advice",
        "out_of_scope": "out-of-scope",
    }.get(kind) or item.get("slug", "")


def right(kind: str, item: dict[str, str], got: Outcome, intent: str | None) -> tuple[bool, bool]:
    """(right answer first, right answer or among the offered topics).

    A non-urgent message is right unless it raised the alarm: the urgent answer sent for
    a reported sign. Answering "what should I watch out for?" with the warning-signs
    article (also marked urgent) is the article asked for, not an alarm.
    """
    if kind == "not_urgent":
        calm = intent != URGENT_INTENT
        return (calm, calm)
    want = expected(kind, item)
    if kind == "urgent":
        return (got.urgent, got.urgent)
    first = got.article == want and not got.offered
    return (first, first or want in got.offered)


Messages = dict[str, list[dict[str, str]]]  # kind -> messages
Results = dict[str, list[dict[str, Any]]]  # kind -> what came back for each message


def heldout(folder: Path) -> Messages:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["messages"]
        for p in sorted(folder.glob("*.yml"))
    }


def run_heldout(sets: dict[str, Messages]) -> dict[str, Results]:
    """Send every message of every language to the real servers; what came back."""
    results: dict[str, Results] = {language: defaultdict(list) for language in sets}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'kb.db'}"
        prepare_database(url)
        with running_stack(Path(tmp) / "stack", model=MODEL, env={"DATABASE_URL": url}) as stack:
            for language, messages in sets.items():
                for kind, items in messages.items():
                    for n, item in enumerate(items):  # each in a new conversation
                        sender = f"eval-{language}-{kind}-{n}"
                        results[language][kind].append(score(stack, sender, kind, item))
    return results


def score(stack: Stack, sender: str, kind: str, item: dict[str, str]) -> dict[str, Any]:
    """Send one message; what came back and whether it was right."""
    response = stack.say(sender, item["text"])
    response.raise_for_status()
    got = outcome(response.json())
    intent = stack.tracker(sender)["latest_message"]["intent"].get("name")
    first, any_right = right(kind, item, got, intent)
    return {**item, "got": got.describe(), "first": first, "right": any_right,
            "urgent_alarm": intent == URGENT_INTENT}  # fmt: skip


def nets_alone(messages: Messages) -> dict[str, float]:
    """The word nets without the model: what each catches and where it fires wrongly."""
    urgent_word = [find_signs(m["text"]).urgent for m in messages["urgent"]]
    others = [m for kind, ms in messages.items() if kind != "urgent" for m in ms]
    advice = [check_advice(m["text"]).personal for m in messages["advice"]]
    not_advice = [m for kind, ms in messages.items() if kind not in {"advice"} for m in ms]
    return {
        "urgent_words_recall": sum(urgent_word) / len(urgent_word),
        "urgent_words_false_alarms": sum(find_signs(m["text"]).urgent for m in others),
        "advice_words_recall": sum(advice) / len(advice),
        "advice_words_false_fires": sum(check_advice(m["text"]).personal for m in not_advice),
        "messages_not_urgent": len(others),
        "messages_not_advice": len(not_advice),
    }


def nlu_cross_validation(folds: int = 5) -> dict[str, object]:
    out = OUT / "nlu-cv"
    started = time.monotonic()
    rasa = [rasa_commands.RASA, "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
            "--cross-validation", "--folds", str(folds), "--out", str(out)]  # fmt: skip
    subprocess.run(rasa, cwd=ROOT, check=True, env=rasa_commands.environment(),
                   capture_output=True)  # fmt: skip
    report = json.loads((out / "intent_report.json").read_text())
    per_intent = {
        k: round(v["f1-score"], 3)
        for k, v in report.items()
        if isinstance(v, dict) and "support" in v and "avg" not in k
    }
    return {
        "folds": folds,
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 3),
        "intent_accuracy": round(report["accuracy"], 3),
        "worst_intents": sorted(per_intent.items(), key=lambda kv: kv[1])[:5],
        "seconds": round(time.monotonic() - started),
    }


def table(results: Results) -> list[str]:
    lines = [
        '| kind | messages | right answer first | right, or among "did you mean" | target |',
        "| --- | --- | --- | --- | --- |",
    ]
    for kind, rows in results.items():
        first = sum(r["first"] for r in rows) / len(rows)
        any_right = sum(r["right"] for r in rows) / len(rows)
        target = TARGETS.get(kind, 0)
        mark = "met" if any_right >= target else "**missed**"
        label = "not urgent (no false alarm)" if kind == "not_urgent" else kind.replace("_", " ")
        lines.append(
            f"| {label} | {len(rows)} | {first:.3f} | {any_right:.3f} | {target:.2f} ({mark}) |"
        )
    calm = [r for kind, rows in results.items() if kind != "urgent" for r in rows]
    alarms = sum(r.get("urgent_alarm", False) for r in calm)
    share = alarms / len(calm)
    mark = "met" if share <= 0.01 else "**missed**"
    lines.append(
        f"| false urgent alarms, all non-urgent kinds | {len(calm)} | {alarms} ({share:.1%}) | "
        f"| at most 1 % ({mark}) |"
    )
    return lines


def misses(results: Results) -> list[str]:
    lines = ["| kind | message | expected | got |", "| --- | --- | --- | --- |"]
    for kind, rows in results.items():
        for r in rows:
            if not r["first"]:
                want = "not urgent" if kind == "not_urgent" else expected(kind, r)
                text = r["text"].replace("|", "/")
                lines.append(f"| {kind} | {text} | {want} | {r['got']} |")
    return lines


def write_doc(language: str, report: list[str]) -> None:
    """Replace the language's section of DOC (or add it at the end)."""
    start, end = MARKERS[language]
    doc = DOC.read_text(encoding="utf-8")
    section = "\n".join([start, *report, end])
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc + "\n" + section
    DOC.write_text(doc, encoding="utf-8")


def language_report(
    language: str, messages: Messages, results: Results, nets: dict[str, float]
) -> list[str]:
    """The table, the nets alone, and the misses of one language."""
    return [
        f"Run {time.strftime('%Y-%m-%d')}, model `{MODEL.relative_to(ROOT)}`, "
        f"{sum(len(v) for v in messages.values())} held-out messages "
        f"(`{HELDOUT[language].relative_to(ROOT)}/`), each in a new conversation through "
        "the real servers.",
        "",
        *table(results),
        "",
        f"The word nets alone on the same messages: urgent words catch "
        f"{nets['urgent_words_recall']:.3f} of the warning signs and fire on "
        f"{nets['urgent_words_false_alarms']} of {nets['messages_not_urgent']} other "
        f"messages; advice words catch {nets['advice_words_recall']:.3f} of the advice "
        f"requests and fire on {nets['advice_words_false_fires']} of "
        f"{nets['messages_not_advice']} other messages.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout-only", action="store_true", help="skip cross-validation")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sets = {language: heldout(folder) for language, folder in HELDOUT.items()}
    results = run_heldout(sets)
    nets = {language: nets_alone(messages) for language, messages in sets.items()}
    reports = {
        language: language_report(language, sets[language], results[language], nets[language])
        for language in sets
    }
    cv = None if args.heldout_only else nlu_cross_validation()
    if cv:
        reports["en"] += [
            "",
            f"NLU {cv['folds']}-fold cross-validation on `data/nlu`: intent macro-F1 "
            f"**{cv['intent_macro_f1']:.3f}**, accuracy {cv['intent_accuracy']:.3f} "
            f"({cv['seconds']} s); lowest: {cv['worst_intents']}.",
        ]
    for language, report in reports.items():
        report += ["", "Misses (answers that were not right first):", ""]
        report += misses(results[language])
        write_doc(language, report)
        print("\n".join(report[:12]))
    (OUT / "eval.json").write_text(
        json.dumps({"heldout": results, "nets": nets, "cv": cv}, indent=2)
    )


if __name__ == "__main__":
    main()
