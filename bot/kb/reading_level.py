"""How hard an article reads: its words and its reading grade, against the project's limits.

Patients read the answers on a phone, often worried: an answer stays short and at school
grade 8 or below (Flesch-Kincaid). `kb check` and the staff editor measure the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_ANSWER_WORDS = 120
MAX_DETAILS_WORDS = 250
MAX_GRADE = 8.0
MIN_WORDS_GRADED = 20  # below this, a reading-grade formula says nothing useful
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def word_count(text: str) -> int:
    """Count words the way a reader would (placeholders count as one word)."""
    return len(re.findall(r"\S+", text))


def reading_grade(text: str) -> float:
    """Return the Flesch-Kincaid grade of `text`, placeholders read as plain words."""
    import textstat  # imported here: only checks need it, and it loads word lists

    return float(textstat.flesch_kincaid_grade(_PLACEHOLDER.sub("the number", text)))


@dataclass(frozen=True)
class TextMeasure:
    """How hard one text field reads: words, their limit, and the reading grade."""

    words: int
    max_words: int
    grade: float | None  # None: too short for a grade to mean anything
    max_grade: float = MAX_GRADE

    @property
    def too_long(self) -> bool:
        """Whether the text has more words than allowed."""
        return self.words > self.max_words

    @property
    def too_hard(self) -> bool:
        """Whether the text reads above the allowed grade."""
        return self.grade is not None and self.grade > self.max_grade


def measure(text: str | None, max_words: int) -> TextMeasure:
    """Words and reading grade of one text field, as `kb check` measures them."""
    words = word_count(text or "")
    grade = round(reading_grade(text or ""), 1) if words >= MIN_WORDS_GRADED else None
    return TextMeasure(words, max_words, grade)


def measures(fields: Mapping[str, Any]) -> dict[str, TextMeasure]:
    """The answer's and the details' measures (shown live in the editor)."""
    return {
        "answer": measure(fields.get("answer"), MAX_ANSWER_WORDS),
        "details": measure(fields.get("details"), MAX_DETAILS_WORDS),
    }
