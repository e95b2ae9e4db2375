"""Naming a conversation's language, and detecting it from a message."""

import re
from pathlib import Path

import pytest
import yaml

from bot.language import DEFAULT_LANGUAGE, LANGUAGES, as_language, detect_language


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("fr-FR", "fr"),
        ("fr_CA", "fr"),
        (" Français ", "fr"),
        ("en-GB", "en"),
        ("english", "en"),
        ("de", None),
        ("", None),
        (None, None),
        (["fr"], None),
    ],
)
def test_as_language_reads_codes_tags_and_names(value: object, expected: str | None) -> None:
    assert as_language(value) == expected


def test_the_default_is_a_language_we_speak() -> None:
    assert DEFAULT_LANGUAGE in LANGUAGES


FRENCH = [
    "mon pere a de la fievre",
    "c koi l'immuno",
    "c'est quoi l'immunothérapie ?",
    "ça sert à quoi l'immunothérapie",
    "et avec CAR-T ?",
    "j'ai 39 de fievre sous opdivo",
    "le pembrolizumab c'est quoi",
    "ma femme a la diarrhée depuis 3 jours",
    "mon mari est sous keytruda, il est très fatigué",
    "est ce que je peux boire de l'alcool pendant le traitement",
    "quels sont les effets secondaires du nivolumab",
    "jsuis perdu avec tous ces traitements",
    "on peut participer a un essai clinique ?",
    "ma mere a des plaques rouges sur la peau",
    "bonjour",
    "merci beaucoup pour les infos",
    "parlez-vous français ?",
    "en français svp",
    "pk il faut faire une prise de sang avant chaque cure",
    "elle tousse et elle est essoufflee",
]
ENGLISH = [
    "what is immunotherapy",
    "my dad has a fever",
    "and with CAR-T?",
    "is fatigue a side effect of tecentriq?",
    "what is nivolumab",
    "my wife is on keytruda and she has a rash",
    "can i drink alcohol during treatment",
    "how do i join a clinical trial",
    "wat r the side efects of immuno",
    "thanks a lot",
    "hello",
    "can we speak English",
    "he has diarrhea since yesterday after his pembrolizumab",
    "do checkpoint inhibitors cause thyroid problems",
    "where can i park at the hospital",
]
UNSURE = ["ok", "12/03", "😀😀", "keytruda", "pembrolizumab", "CAR-T", "fatigue", "?", "", "40"]


@pytest.mark.parametrize("text", FRENCH)
def test_french_is_detected_with_typos_slang_and_drug_names(text: str) -> None:
    assert detect_language(text) == "fr"


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_detected_with_typos_and_drug_names(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", UNSURE)
def test_too_little_to_go_on_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_non_text_is_none() -> None:
    assert detect_language(None) is None  # type: ignore[arg-type]


def _examples(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    texts.append(_ANNOTATION.sub(r"\1", line.strip()[2:]))
    return texts


_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_FRENCH_HINT = re.compile(
    r"[éèêàçùûôîï]|\b(?:le|la|les|des|du|est|et|je|il|elle|quoi|pour|une?|de|mon|ma|mes|ça"
    r"|que|qui|sont|avec|pas|bonjour|bonsoir|salut|merci|revoir)\b",
    re.IGNORECASE,
)


def test_the_thresholds_hold_on_the_training_examples() -> None:
    """The figures MIN_CONFIDENCE was chosen on (measured: fr 96.7 %/0.1 %, en 94.5 %/0.0 %)."""
    root = Path(__file__).resolve().parents[2] / "data" / "nlu"
    french = _examples(sorted(root.glob("fr_*.yml")))
    # Generated files (terms, staff examples) mix languages; language.yml is bilingual by
    # design; and the English files hold some French examples.
    skip = {"language.yml", "kb_terms.yml", "staff_examples.yml"}
    english_files = [
        p for p in sorted(root.glob("*.yml")) if p.name not in skip and not p.name.startswith("fr_")
    ]
    english = [t for t in _examples(english_files) if not _FRENCH_HINT.search(t)]
    if not french:
        pytest.skip("no French training examples")
    for texts, language in ((french, "fr"), (english, "en")):
        found = [detect_language(t) for t in texts]
        right = sum(f == language for f in found) / len(texts)
        wrong = sum(f not in (None, language) for f in found) / len(texts)
        assert right >= 0.93, (language, right)
        assert wrong <= 0.005, (language, wrong)
