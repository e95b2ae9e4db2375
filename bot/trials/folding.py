"""Fold a person's words so that French is read with or without its accents.

People type "leucémie", "leucemie" and "LEUCÉMIE"; phones write "’" for "'". The
readers of the trial finder match folded text against folded words, so every spelling
gives the same answer. Case is kept: "ALL" (the leukaemia) is only read in capitals.
"""

from __future__ import annotations

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "’": "'", "‘": "'"})


def fold(text: str) -> str:
    """`text` without accents or ligatures, with plain apostrophes ("Œsophage" -> "OEsophage")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
