"""Tag trials with the kinds of immunotherapy they test and the cancer types they are for.

Kinds come from the trial's interventions, matched against the knowledge base's terms:
a drug or therapy term of the "checkpoint-inhibitors" article makes a checkpoint-inhibitor
trial, and so on. So when staff add a drug name to an article, the next import knows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.kb.files import term_key
from bot.language import DEFAULT_LANGUAGE
from bot.trials.cancer_types import find_cancer_types
from bot.trials.folding import fold

CHECKPOINT = "checkpoint-inhibitor"
VACCINE = "vaccine"
CELL_THERAPY = "cell-therapy"
BISPECIFIC = "bispecific"
OTHER = "other"

# The kinds a person can choose from, in the order they are offered, with plain names
# in each language.
KINDS: dict[str, dict[str, str]] = {
    CHECKPOINT: {"en": "Checkpoint inhibitor", "fr": "Inhibiteur de points de contrôle"},
    VACCINE: {"en": "Cancer vaccine", "fr": "Vaccin contre le cancer"},
    CELL_THERAPY: {"en": "CAR-T or other cell therapy", "fr": "CAR-T ou autre thérapie cellulaire"},
    BISPECIFIC: {"en": "Bispecific antibody or engager", "fr": "Anticorps bispécifique"},
    OTHER: {"en": "Other immunotherapy", "fr": "Autre immunothérapie"},
}

_KIND_OF_ARTICLE: dict[str, str] = {
    "checkpoint-inhibitors": CHECKPOINT,
    "cancer-vaccines": VACCINE,
    "car-t-cells": CELL_THERAPY,
    "bispecific-antibodies": BISPECIFIC,
    "other-immunotherapies": OTHER,
}
# The "other-immunotherapies" article covers several kinds; these of its terms name
# a cell therapy.
_TERM_KIND: dict[str, str] = {
    **dict.fromkeys(
        (
            "til therapy",
            "tumour-infiltrating lymphocytes",
            "tumor-infiltrating lymphocytes",
            "lifileucel",
            "amtagvi",
            "lymphocytes infiltrant la tumeur",
            "lymphocytes infiltrant les tumeurs",
            "lymphocytes qui infiltrent la tumeur",
            "therapie par til",
        ),
        CELL_THERAPY,
    ),
}


def kind_label(kind: str, *, language: str = DEFAULT_LANGUAGE) -> str:
    """The plain name of a kind in `language` (the kind itself if unknown)."""
    names = KINDS.get(kind)
    return (names.get(language) or names[DEFAULT_LANGUAGE]) if names else kind


def _words(text: str) -> str:
    """Lowercase, no accents, hyphens and slashes as spaces: "CAR-T" and "CAR T" compare equal.

    Apostrophes are spaces too, so "l'immunothérapie" holds the word "immunotherapie".
    """
    return " " + " ".join(re.sub(r"[-/_,;:()']", " ", fold(text).lower()).split()) + " "


class TrialTagger:
    """Derive a trial's kinds and cancer types.

    Args:
        articles: knowledge-base articles as mappings with `slug` and `terms`.
    """

    def __init__(self, articles: Iterable[Mapping[str, Any]]) -> None:
        self._terms: list[tuple[str, str]] = []
        for article in articles:
            kind = _KIND_OF_ARTICLE.get(str(article.get("slug")))
            if kind is None:
                continue
            for words in (article.get("terms") or {}).values():
                for term in words:
                    key = term_key(term)
                    kind_of_term = _TERM_KIND.get(key) or _TERM_KIND.get(fold(key), kind)
                    self._terms.append((_words(key), kind_of_term))
        # Longest first, so "bispecific t-cell engager" is seen before a shorter term.
        self._terms.sort(key=lambda pair: -len(pair[0]))

    def kinds_named(self, text: str) -> list[str]:
        """Return the kinds whose terms appear in `text`, in `KINDS` order."""
        words = _words(text)
        found = {kind for term, kind in self._terms if term in words}
        return [k for k in KINDS if k in found]

    def kinds(self, interventions: Sequence[Mapping[str, Any]]) -> list[str]:
        """Return the kinds the interventions name, in `KINDS` order; `other` if none."""
        text = " ; ".join(
            " ".join(
                [
                    str(i.get("name") or ""),
                    *i.get("other_names", []),
                    str(i.get("description") or ""),
                ]
            )
            for i in interventions
        )
        return self.kinds_named(text) or [OTHER]

    @staticmethod
    def cancer_types(conditions: Iterable[str]) -> list[str]:
        """Return the cancer type keys named by the conditions and keywords."""
        return find_cancer_types(" ; ".join(conditions))
