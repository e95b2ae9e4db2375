"""The urgent-symptom net: recall on patients' phrasings, quiet on general questions, robust."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
import yaml

from bot.safety import urgent_signs
from bot.safety.urgent_signs import FAILURES, MAX_CHARS, SIGN_IDS, Triage, assess, find_signs
from bot.settings import PROJECT_ROOT

ROOT = PROJECT_ROOT
PHRASINGS = yaml.safe_load((ROOT / "tests/data/urgent_phrasings.yml").read_text("utf-8"))
URGENT = [(case["text"], case["sign"]) for case in PHRASINGS["urgent"]]
NOT_URGENT = [case["text"] for case in PHRASINGS["not_urgent"]]


def test_phrasing_file_covers_every_sign_several_times() -> None:
    assert len(URGENT) >= 70 and len(NOT_URGENT) >= 40
    per_sign = Counter(sign for _, sign in URGENT)
    assert set(per_sign) == set(SIGN_IDS)
    assert min(per_sign.values()) >= 3, per_sign
    assert len({text for text, _ in URGENT} | set(NOT_URGENT)) == len(URGENT) + len(NOT_URGENT)


@pytest.mark.parametrize(("text", "sign"), URGENT, ids=[t[:40] for t, _ in URGENT])
def test_urgent_phrasing_fires_with_its_sign(text: str, sign: str) -> None:
    result = find_signs(text)
    assert result.urgent, text
    assert sign in result.signs, (text, result.signs)


@pytest.mark.parametrize("text", NOT_URGENT, ids=[t[:40] for t in NOT_URGENT])
def test_general_question_or_mild_mention_does_not_fire(text: str) -> None:
    result = find_signs(text)
    assert not result.urgent, (text, result.signs)
    assert result.signs == ()


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("no fever", False),
        ("I don't have a fever", False),
        ("I dont have a temperature or a cough", False),
        ("not breathless", False),
        ("without any chest pain", False),
        ("my temperature is normal", False),
        ("fever has gone", False),
        ("the fever went away last night", False),
        ("my cough is better now", False),
        ("no fever but I can't breathe", True),
        ("no fever, I can't breathe", True),
        ("I'm not sure if it's a fever but I'm burning up", True),
        ("I can't stop coughing", True),
        ("I've never felt so dizzy", True),
        ("the headache won't go away and it's terrible", True),
        ("no diarrhoea but there is blood in my poo", True),
    ],
)
def test_negation(text: str, urgent: bool) -> None:
    assert find_signs(text).urgent is urgent, find_signs(text)


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("my temperature is 37.5", False),
        ("temp 37.9", False),
        ("my temperature is 38", True),
        ("38°C", True),
        ("38.0", True),
        ("temp 38,5", True),
        ("39 degrees", True),
        ("100.4F", True),
        ("101 F", True),
        ("101.5°F", True),
        ("99 F", False),
        ("temp is 99.5 f", False),
        ("fever of 37.6 this morning", False),
        ("he is 39 years old", False),
        ("she weighs 101.5 kg", False),
        ("I take 40 mg of prednisolone", False),
    ],
)
def test_temperature_parsing(text: str, urgent: bool) -> None:
    assert find_signs(text).urgent is urgent, find_signs(text)


ROBUSTNESS = [
    "",
    " ",
    "\x00\xff",
    "\x00\x01\x02\xfe\xff\ud800" * 50,
    "x" * 100_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE articles; --",
    "🤒🤒",
    "¿Tengo fiebre?",
    "发烧了吗",
    "\n\n\t\r",
    "?" * 5_000,
    "I can't breathe " * 10_000,
]


@pytest.mark.parametrize("text", ROBUSTNESS, ids=range(len(ROBUSTNESS)))
def test_any_input_is_handled(text: str) -> None:
    result = find_signs(text)
    assert isinstance(result, Triage) and isinstance(result.urgent, bool)
    assert set(result.signs) <= set(SIGN_IDS)
    assert result.urgent == bool(result.signs) == find_signs(text).urgent


@pytest.mark.parametrize("text", ["", " ", "\x00\xff", "<script>alert(1)</script>", "🤒🤒"])
def test_junk_is_not_urgent(text: str) -> None:
    assert find_signs(text) == Triage(urgent=False, signs=())


def test_non_string_input_does_not_raise() -> None:
    assert find_signs(None) == Triage(urgent=False, signs=())  # type: ignore[arg-type]
    assert find_signs(b"I can't breathe").urgent  # type: ignore[arg-type]


def test_long_message_is_capped() -> None:
    text = "My dad can't breathe. " + "He is resting. " * 7_000
    assert len(text) > 100_000
    assert find_signs(text).signs == ("breathing",)
    assert not find_signs("x" * MAX_CHARS + " I can't breathe").urgent  # only the start is read


def test_signs_are_ordered_stable_ids_and_results_are_deterministic() -> None:
    text = "I'm dizzy, can't breathe and have a fever of 39"
    result = find_signs(text)
    assert result.signs == ("fever", "breathing", "fainting")
    assert all(find_signs(text) == result for _ in range(3))


def test_a_crashing_net_fails_the_tests_and_is_logged_and_counted_when_live(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: object) -> tuple[set[str], bool]:
        raise KeyError("a bug")

    monkeypatch.setattr(urgent_signs, "_analyse", broken)
    with pytest.raises(KeyError):  # every phrasing test above calls find_signs
        find_signs("I have no fever")
    before = FAILURES["KeyError"]
    text = "my husband has a fever of 39"
    triage = assess(text)
    assert triage.failed and not triage.urgent
    assert FAILURES["KeyError"] == before + 1
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert "39" not in caplog.text and "KeyError" in caplog.text


def test_import_pulls_in_no_rasa_module() -> None:
    code = (
        "import sys, bot.safety.urgent_signs\n"
        "bot.safety.urgent_signs.find_signs('I have a fever of 39')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk'))\n"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "dismissed"),
    [
        ("I don't have a fever", True),
        ("the dizziness went away yesterday", True),
        ("can immunotherapy cause a cough?", True),
        ("my temperature is 37.2", True),
        ("what is a clinical trial", False),
        ("I can't breathe", False),
    ],
)
def test_a_mentioned_sign_read_as_not_urgent_is_reported_as_dismissed(
    text: str, dismissed: bool
) -> None:
    assert find_signs(text).dismissed is dismissed


@pytest.mark.parametrize("text", ["my mouth is dry", "a bit tired today", "mild rash on my arm"])
def test_a_mild_symptom_is_mentioned_but_never_urgent(text: str) -> None:
    triage = find_signs(text)
    assert triage.dismissed and not triage.urgent


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("il a de la fièvre", True),
        ("il a de la fievre", True),  # accents are optional
        ("IL A DE LA FIÈVRE", True),
        ("j'ai du mal à respirer", True),  # "j'ai" is read as "je ai"
        ("j’ai du mal a respirer", True),  # curly apostrophe, no accent
        ("pas de fièvre", False),
        ("je n'ai plus de fièvre", False),  # "plus de" = no more
        ("de plus en plus essoufflé", True),  # "de plus en plus" = more and more
        ("il est plus essoufflé qu'hier", True),
        ("la fièvre est passée", False),
        ("j'ai eu de la fièvre hier seulement", False),
        ("un mal de tête violent qui ne passe pas", True),  # "ne passe pas" is not over
        ("est-il normal d'avoir de la fièvre ?", False),  # inverted "il" is no person
        ("que faire si j'ai de la fièvre ?", False),
        ("je ne sais pas si j'ai de la fièvre mais je grelotte", True),  # "si" stays in its clause
        ("il peut à peine respirer, il est essoufflé", True),
        ("mes urines ne sont pas foncées", False),  # "_" never skips "pas"
        ("ma température est de 37,2", False),
        ("39 de fièvre", True),
        ("diarrhée 5 fois par jour", True),
        ("diarrhée cinq fois depuis ce matin", True),
        ("diarrhée deux fois hier", False),
        ("diarrhée sans arrêt", True),
        ("diarrhée x6 depuis ce matin", True),  # a count typed before the number
        ("diarrhée x2 hier", False),
        ("je ne suis plus essoufflé", False),  # "ne ... plus" is no longer
        ("il ne se sent plus essoufflé", False),
        ("il s'est évanoui", True),  # the "se" of "s'est" is no "si"
        ("s'il a de la fièvre, que faire ?", False),
        ("que faire si je saigne du nez ?", False),
        ("je suis confuse pour mon rendez-vous", False),
        ("mon nez a saigné mais ça s'est arrêté", False),
        ("je saigne du nez et ça s'arrête pas", True),
        ("je tousse toute la nuit depuis que j'ai arrêté la cortisone", True),
    ],
)
def test_french_is_read_without_accents_elisions_or_inflections(text: str, urgent: bool) -> None:
    assert find_signs(text).urgent is urgent, find_signs(text)
