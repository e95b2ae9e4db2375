"""How hard an article reads: its words and its reading level, against the project's limits.

Patients read the answers on a phone, often worried: an answer stays short and easy.

- English: school grade 8 or below per field (Flesch-Kincaid), median answer grade 6 or below.
- French: Flesch-Kincaid grades are calibrated on English text only, so French is measured
  with Flesch's reading ease adapted to French by Kandel & Moles (1958):
  207 - 1.015 x words per sentence - 73.6 x syllables per word (textstat's "fr" constants).
  The limits are the English targets translated through Flesch's own table of reading ease
  against school grade (60-70 "plain English" = grade 8-9; 80-90 "easy" = grade 6): each
  field scores 60 or more, and the median answer 80 or more. Higher reads easier.

`kb check` and the staff editor measure the same way (`measure`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.language import DEFAULT_LANGUAGE

MAX_ANSWER_WORDS = 120
MAX_DETAILS_WORDS = 250
MAX_GRADE = 8.0  # English, per field
MIN_EASE = 60.0  # French (Kandel & Moles reading ease), per field: like grade 8-9
MIN_MEDIAN_EASE = 80.0  # French, the median answer: like grade 6
MIN_WORDS_GRADED = 20  # below this, a reading-level formula says nothing useful
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A placeholder is read as the plain words a patient sees in its place.
_PLACEHOLDER_WORDS = {"en": "the number", "fr": "le numéro"}


def word_count(text: str) -> int:
    """Count words the way a reader would (placeholders count as one word)."""
    return len(re.findall(r"\S+", text))


def _plain(text: str, language: str) -> str:
    return _PLACEHOLDER.sub(_PLACEHOLDER_WORDS.get(language, "the number"), text)


def reading_grade(text: str) -> float:
    """Return the Flesch-Kincaid grade of English `text`, placeholders read as plain words."""
    import textstat  # imported here: only checks need it, and it loads word lists

    return float(textstat.flesch_kincaid_grade(_plain(text, "en")))


@cache
def _statistics(language: str) -> Any:  # textstat ships no type hints
    # Its own instance: setting the language on textstat's global object would change
    # every other caller's measure in this process.
    from textstat.textstat import textstatistics

    statistics = textstatistics()
    statistics.set_lang(language)
    return statistics


def reading_ease(text: str, language: str = "fr") -> float:
    """Return Flesch's reading ease of `text` with `language`'s constants (higher: easier)."""
    return float(_statistics(language).flesch_reading_ease(_plain(text, language)))


@dataclass(frozen=True)
class TextMeasure:
    """How hard one text field reads: words, their limit, and its reading level.

    English texts get a `grade` (at most `max_grade`); French ones a reading `ease`
    (at least `min_ease`). Both are None for a text too short to measure.
    """

    words: int
    max_words: int
    grade: float | None  # None: French, or too short for a grade to mean anything
    max_grade: float = MAX_GRADE
    language: str = DEFAULT_LANGUAGE
    ease: float | None = None  # French only; None when too short
    min_ease: float = MIN_EASE

    @property
    def too_long(self) -> bool:
        """Whether the text has more words than allowed."""
        return self.words > self.max_words

    @property
    def too_hard(self) -> bool:
        """Whether the text reads above the allowed grade (below the allowed ease)."""
        if self.grade is not None and self.grade > self.max_grade:
            return True
        return self.ease is not None and self.ease < self.min_ease


def measure(text: str | None, max_words: int, *, language: str = DEFAULT_LANGUAGE) -> TextMeasure:
    """Words and reading level of one text field in `language`, as `kb check` measures them."""
    words = word_count(text or "")
    if language == "fr":
        ease = round(reading_ease(text or "", "fr"), 1) if words >= MIN_WORDS_GRADED else None
        return TextMeasure(words, max_words, None, language=language, ease=ease)
    grade = round(reading_grade(text or ""), 1) if words >= MIN_WORDS_GRADED else None
    return TextMeasure(words, max_words, grade, language=language)


def measures(
    fields: Mapping[str, Any], *, language: str = DEFAULT_LANGUAGE
) -> dict[str, TextMeasure]:
    """The answer's and the details' measures (shown live in the editor)."""
    return {
        "answer": measure(fields.get("answer"), MAX_ANSWER_WORDS, language=language),
        "details": measure(fields.get("details"), MAX_DETAILS_WORDS, language=language),
    }
