"""Cancer types in plain words, and how trial records and patients name them.

Trial records use clinical names ("Leukemia, Myeloid, Acute", "Advanced NSCLC") and
patients use everyday ones ("lung cancer", "leukaemia"). Both are reduced to the same
keys here, so that a search for "lung cancer" finds "NSCLC". A subtype key also carries
its parent ("acute-myeloid-leukaemia" is a "leukaemia").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.language import DEFAULT_LANGUAGE
from bot.trials.folding import fold

SOLID_TUMOURS = "solid-tumours"


@dataclass(frozen=True)
class CancerType:
    """One cancer type: its key, its plain name and the words that name it, per language."""

    key: str
    labels: Mapping[str, str]  # language -> plain name
    words: Mapping[str, tuple[str, ...]]  # language -> words, written without accents
    parent: str | None = None
    blood: bool = False


# Words are matched as whole words, case-insensitively, on text without accents (see
# `fold`); a word ending in "*" is a prefix. Every language's words are read whatever the
# conversation's language: people mix them, and "LAM" or "NSCLC" say the same thing.
# The English label is the slot value and the search's words, in both languages.
CANCER_TYPES: tuple[CancerType, ...] = (
    CancerType(
        "lung",
        {"en": "Lung cancer", "fr": "Cancer du poumon"},
        {
            "en": ("lung", "nsclc", "sclc", "non-small cell"),
            "fr": (
                "poumon*",
                "cancer pulmonaire",
                "cancers pulmonaires",
                "bronchique*",
                "bronchopulmonaire*",
                "cbnpc",
                "cbpc",
                "petites cellules",
            ),
        },
    ),
    CancerType(
        "melanoma",
        {"en": "Melanoma", "fr": "Mélanome"},
        {
            "en": ("melanoma*", "skin cancer"),
            "fr": ("melanome*", "cancer de la peau", "cancers de la peau"),
        },
    ),
    CancerType(
        "bladder",
        {"en": "Bladder cancer", "fr": "Cancer de la vessie"},
        {"en": ("bladder", "urothelial", "mibc", "nmibc"), "fr": ("vessie", "urotheliale*")},
    ),
    CancerType(
        "kidney",
        {"en": "Kidney cancer", "fr": "Cancer du rein"},
        {
            "en": ("kidney", "renal cell", "renal cancer", "rcc"),
            "fr": ("rein", "reins", "cancer renal", "carcinome renal", "cellules renales"),
        },
    ),
    CancerType(
        "liver",
        {"en": "Liver cancer", "fr": "Cancer du foie"},
        {
            "en": ("liver", "hepatocellular", "hcc", "hepatoma"),
            "fr": ("foie", "hepatocellulaire*", "hepatocarcinome*", "chc"),
        },
    ),
    CancerType(
        "breast",
        {"en": "Breast cancer", "fr": "Cancer du sein"},
        {"en": ("breast",), "fr": ("sein", "seins", "cancer mammaire", "cancers mammaires")},
    ),
    CancerType(
        "colorectal",
        {"en": "Bowel (colorectal) cancer", "fr": "Cancer colorectal (côlon ou rectum)"},
        {
            "en": ("colorectal", "colon", "rectal", "rectum", "bowel", "crc"),
            "fr": ("colorectale", "colorectaux", "intestin", "intestins", "ccr"),
        },
    ),
    CancerType(
        "prostate",
        {"en": "Prostate cancer", "fr": "Cancer de la prostate"},
        {"en": ("prostate", "prostatic"), "fr": ("prostatique*",)},
    ),
    CancerType(
        "ovary",
        {"en": "Ovarian cancer", "fr": "Cancer de l'ovaire"},
        {"en": ("ovary", "ovaries", "ovarian"), "fr": ("ovaire", "ovaires", "ovarien*")},
    ),
    CancerType(
        "cervix",
        {"en": "Cervical cancer", "fr": "Cancer du col de l'utérus"},
        # "col de l'utérus" is rewritten to "cervix" first, so it is not the womb.
        {"en": ("cervix", "cervical cancer"), "fr": ("col uterin", "cancer du col")},
    ),
    CancerType(
        "uterus",
        {"en": "Womb (uterine) cancer", "fr": "Cancer de l'utérus (endomètre)"},
        {
            "en": ("uterus", "uterine", "womb", "endometrial"),
            "fr": ("uterin", "uterins", "endometre"),
        },
    ),
    CancerType(
        "pancreas",
        {"en": "Pancreatic cancer", "fr": "Cancer du pancréas"},
        {"en": ("pancreas", "pancreatic"), "fr": ("pancreatique*",)},
    ),
    CancerType(
        "stomach",
        {"en": "Stomach cancer", "fr": "Cancer de l'estomac"},
        {"en": ("stomach", "gastric"), "fr": ("estomac", "gastrique*")},
    ),
    CancerType(
        "oesophagus",
        {"en": "Oesophageal cancer", "fr": "Cancer de l'œsophage"},
        {"en": ("oesophag*", "esophag*", "gullet"), "fr": ("oesophag*",)},
    ),
    CancerType(
        "head-and-neck",
        {"en": "Head and neck cancer", "fr": "Cancer ORL (tête et cou)"},
        {
            "en": ("head and neck", "throat", "mouth cancer", "oral cancer", "larynx", "laryngeal"),
            "fr": ("tete et cou", "orl", "vads", "gorge", "bouche", "larynge*"),
        },
    ),
    CancerType(
        "brain",
        {"en": "Brain tumour", "fr": "Tumeur du cerveau"},
        {
            "en": ("brain", "glioma", "glioblastoma", "gbm"),
            "fr": ("cerveau", "tumeur cerebrale", "tumeurs cerebrales", "gliome*", "glioblastome*"),
        },
    ),
    CancerType(
        "sarcoma",
        {"en": "Sarcoma", "fr": "Sarcome"},
        {"en": ("sarcoma*",), "fr": ("sarcome*",)},
    ),
    CancerType(
        "thyroid",
        {"en": "Thyroid cancer", "fr": "Cancer de la thyroïde"},
        {"en": ("thyroid",), "fr": ("thyroide*",)},
    ),
    CancerType(
        "mesothelioma",
        {"en": "Mesothelioma", "fr": "Mésothéliome"},
        {"en": ("mesothelioma",), "fr": ("mesotheliome*",)},
    ),
    CancerType(
        "leukaemia",
        {"en": "Leukaemia", "fr": "Leucémie"},
        {
            "en": ("leukaemia*", "leukemia*", "leucemia", "leukaemic", "leukemic", "blood cancer"),
            "fr": ("leucemie*", "leucemique*", "cancer du sang", "cancers du sang"),
        },
        blood=True,
    ),
    CancerType(
        "acute-myeloid-leukaemia",
        {"en": "Acute myeloid leukaemia (AML)", "fr": "Leucémie aiguë myéloïde (LAM)"},
        {
            "en": ("aml", "acute myeloid", "myeloid, acute", "myeloid leukaemia, acute"),
            "fr": ("aigue myeloide", "aigue myeloblastique", "myeloide aigue", "lam"),
        },
        parent="leukaemia",
        blood=True,
    ),
    CancerType(
        "acute-lymphoblastic-leukaemia",
        {"en": "Acute lymphoblastic leukaemia (ALL)", "fr": "Leucémie aiguë lymphoblastique (LAL)"},
        {
            "en": (
                "b-all",
                "t-all",
                "lymphoblastic",
                "lymphocytic leukaemia",
                "lymphocytic leukemia",
                "lymphoid leukaemia",
                "lymphoid leukemia",
                "leukemia, lymphoid",
            ),
            "fr": ("lymphoblastique*", "aigue lymphoide", "lal"),
        },
        parent="leukaemia",
        blood=True,
    ),
    CancerType(
        "lymphoma",
        {"en": "Lymphoma", "fr": "Lymphome"},
        {
            "en": ("lymphoma*", "hodgkin", "dlbcl", "blood cancer"),
            "fr": ("lymphome*", "cancer du sang", "cancers du sang"),
        },
        blood=True,
    ),
    CancerType(
        "myeloma",
        {"en": "Myeloma", "fr": "Myélome"},
        {
            "en": ("myeloma", "blood cancer"),
            "fr": ("myelome*", "cancer du sang", "cancers du sang"),
        },
        blood=True,
    ),
    CancerType(
        "myelodysplastic",
        {"en": "Myelodysplastic syndrome (MDS)", "fr": "Syndrome myélodysplasique (SMD)"},
        {
            "en": ("myelodysplastic", "myelodysplasia", "mds"),
            "fr": ("myelodysplasique*", "myelodysplasie", "smd"),
        },
        blood=True,
    ),
    CancerType(
        SOLID_TUMOURS,
        {"en": "Many kinds of solid tumour", "fr": "Nombreux types de tumeurs solides"},
        {
            "en": ("solid tumor", "solid tumors", "solid tumour", "solid tumours"),
            "fr": ("tumeur solide", "tumeurs solides"),
        },
    ),
)

_BY_KEY = {t.key: t for t in CANCER_TYPES}
# English labels -> key: the slot keeps the English label, whatever the language.
_BY_LABEL = {t.labels[DEFAULT_LANGUAGE]: t.key for t in CANCER_TYPES}
_AND = " and "  # joins the labels of several types in the slot value
_AND_WORDS = {"en": " and ", "fr": " et "}
# French phrases rewritten before matching: the neck of the womb is the cervix, and "au
# sein de" ("within") names no breast.
_REWRITES = (
    (re.compile(r"\bcol\s+(?:de\s+l'\s*|de\s+l\s+|d[eu]\s+)?uterus\b", re.IGNORECASE), " cervix "),
    (re.compile(r"\bau\s+sein\s+d", re.IGNORECASE), " "),
)


def _pattern(word: str) -> str:
    if word.endswith("*"):
        return r"\b" + re.escape(word[:-1]) + r"\w*"
    return r"\b" + re.escape(word) + r"\b"


_MATCHERS = tuple(
    (
        t.key,
        re.compile(
            "|".join(_pattern(w) for words in t.words.values() for w in words), re.IGNORECASE
        ),
    )
    for t in CANCER_TYPES
)
# "ALL" (the leukaemia) is only recognised in capitals, as "all" is a common word.
_ALL_CAPS = re.compile(r"(?<![\w-])ALL(?![\w-])")


def find_cancer_types(text: str) -> list[str]:
    """Return the keys of the cancer types `text` names, with their parents, in table order."""
    text = fold(text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    found = {key for key, matcher in _MATCHERS if matcher.search(text)}
    if _ALL_CAPS.search(text):
        found.add("acute-lymphoblastic-leukaemia")
    found |= {_BY_KEY[k].parent for k in found if _BY_KEY[k].parent}  # type: ignore[misc]
    return [t.key for t in CANCER_TYPES if t.key in found]


def most_specific(keys: list[str]) -> list[str]:
    """Drop the keys that are only the parent of another key in `keys`."""
    parents = {_BY_KEY[k].parent for k in keys if k in _BY_KEY}
    return [k for k in keys if k not in parents]


def parent_or_self(key: str) -> str:
    """Return the main type a subtype belongs to ("acute-myeloid-leukaemia" -> "leukaemia")."""
    known = _BY_KEY.get(key)
    return known.parent if known and known.parent else key


def label(key: str, *, language: str = DEFAULT_LANGUAGE) -> str:
    """Return the plain name of a cancer type key in `language` (the key itself if unknown)."""
    known = _BY_KEY.get(key)
    if known is None:
        return key
    return known.labels.get(language) or known.labels[DEFAULT_LANGUAGE]


def slot_value(keys: list[str]) -> str | None:
    """What slot `cancer_type` keeps for these keys: their English names, whatever the language.

    One value for every language, so a French and an English answer search alike.
    """
    return _AND.join(label(k) for k in keys) if keys else None


def display_name(value: str, *, language: str = DEFAULT_LANGUAGE) -> str:
    """Slot `cancer_type` in `language`: known names translated, the person's own words kept."""
    names = value.split(_AND)
    if not all(name in _BY_LABEL for name in names):
        return value
    joiner = _AND_WORDS.get(language, _AND)
    return joiner.join(label(_BY_LABEL[name], language=language) for name in names)


def is_solid(key: str) -> bool:
    """True for a known cancer type that is a solid tumour (not a blood cancer)."""
    return key in _BY_KEY and not _BY_KEY[key].blood and key != SOLID_TUMOURS
