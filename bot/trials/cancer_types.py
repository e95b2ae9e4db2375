"""Cancer types in plain words, and how trial records and patients name them.

Trial records use clinical names ("Leukemia, Myeloid, Acute", "Advanced NSCLC") and
patients use everyday ones ("lung cancer", "leukaemia"). Both are reduced to the same
keys here, so that a search for "lung cancer" finds "NSCLC". A subtype key also carries
its parent ("acute-myeloid-leukaemia" is a "leukaemia").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SOLID_TUMOURS = "solid-tumours"


@dataclass(frozen=True)
class CancerType:
    """One cancer type: its key, its plain name, the words that name it."""

    key: str
    label: str
    words: tuple[str, ...]
    parent: str | None = None
    blood: bool = False


# Words are matched as whole words, case-insensitively; a word ending in "*" is a prefix.
CANCER_TYPES: tuple[CancerType, ...] = (
    CancerType("lung", "Lung cancer", ("lung", "nsclc", "sclc", "non-small cell")),
    CancerType("melanoma", "Melanoma", ("melanoma*", "skin cancer")),
    CancerType("bladder", "Bladder cancer", ("bladder", "urothelial", "mibc", "nmibc")),
    CancerType("kidney", "Kidney cancer", ("kidney", "renal cell", "renal cancer", "rcc")),
    CancerType("liver", "Liver cancer", ("liver", "hepatocellular", "hcc", "hepatoma")),
    CancerType("breast", "Breast cancer", ("breast",)),
    CancerType(
        "colorectal",
        "Bowel (colorectal) cancer",
        ("colorectal", "colon", "rectal", "rectum", "bowel", "crc"),
    ),
    CancerType("prostate", "Prostate cancer", ("prostate", "prostatic")),
    CancerType("ovary", "Ovarian cancer", ("ovary", "ovaries", "ovarian")),
    CancerType("cervix", "Cervical cancer", ("cervix", "cervical cancer")),
    CancerType("uterus", "Womb (uterine) cancer", ("uterus", "uterine", "womb", "endometrial")),
    CancerType("pancreas", "Pancreatic cancer", ("pancreas", "pancreatic")),
    CancerType("stomach", "Stomach cancer", ("stomach", "gastric")),
    CancerType("oesophagus", "Oesophageal cancer", ("oesophag*", "esophag*", "gullet")),
    CancerType(
        "head-and-neck",
        "Head and neck cancer",
        ("head and neck", "throat", "mouth cancer", "oral cancer", "larynx", "laryngeal"),
    ),
    CancerType("brain", "Brain tumour", ("brain", "glioma", "glioblastoma", "gbm")),
    CancerType("sarcoma", "Sarcoma", ("sarcoma*",)),
    CancerType("thyroid", "Thyroid cancer", ("thyroid",)),
    CancerType("mesothelioma", "Mesothelioma", ("mesothelioma",)),
    CancerType(
        "leukaemia",
        "Leukaemia",
        ("leukaemia*", "leukemia*", "leucemia", "leukaemic", "leukemic", "blood cancer"),
        blood=True,
    ),
    CancerType(
        "acute-myeloid-leukaemia",
        "Acute myeloid leukaemia (AML)",
        ("aml", "acute myeloid", "myeloid, acute", "myeloid leukaemia, acute"),
        parent="leukaemia",
        blood=True,
    ),
    CancerType(
        "acute-lymphoblastic-leukaemia",
        "Acute lymphoblastic leukaemia (ALL)",
        (
            "b-all",
            "t-all",
            "lymphoblastic",
            "lymphocytic leukaemia",
            "lymphocytic leukemia",
            "lymphoid leukaemia",
            "lymphoid leukemia",
            "leukemia, lymphoid",
        ),
        parent="leukaemia",
        blood=True,
    ),
    CancerType(
        "lymphoma", "Lymphoma", ("lymphoma*", "hodgkin", "dlbcl", "blood cancer"), blood=True
    ),
    CancerType("myeloma", "Myeloma", ("myeloma", "blood cancer"), blood=True),
    CancerType(
        "myelodysplastic",
        "Myelodysplastic syndrome (MDS)",
        ("myelodysplastic", "myelodysplasia", "mds"),
        blood=True,
    ),
    CancerType(
        SOLID_TUMOURS,
        "Many kinds of solid tumour",
        ("solid tumor", "solid tumors", "solid tumour", "solid tumours"),
    ),
)

_BY_KEY = {t.key: t for t in CANCER_TYPES}


def _pattern(word: str) -> str:
    if word.endswith("*"):
        return r"\b" + re.escape(word[:-1]) + r"\w*"
    return r"\b" + re.escape(word) + r"\b"


_MATCHERS = tuple(
    (t.key, re.compile("|".join(_pattern(w) for w in t.words), re.IGNORECASE)) for t in CANCER_TYPES
)
# "ALL" (the leukaemia) is only recognised in capitals, as "all" is a common word.
_ALL_CAPS = re.compile(r"(?<![\w-])ALL(?![\w-])")


def find_cancer_types(text: str) -> list[str]:
    """Return the keys of the cancer types `text` names, with their parents, in table order."""
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


def label(key: str) -> str:
    """Return the plain name of a cancer type key (the key itself if unknown)."""
    return _BY_KEY[key].label if key in _BY_KEY else key


def is_solid(key: str) -> bool:
    """True for a known cancer type that is a solid tumour (not a blood cancer)."""
    return key in _BY_KEY and not _BY_KEY[key].blood and key != SOLID_TUMOURS
