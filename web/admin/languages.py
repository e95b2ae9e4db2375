"""How the staff workspace names the languages (badges, filters, column headings).

The codes are `bot.language`'s; each name is written in its own language, so a French
reader finds "Français" and the page marks it `lang="fr"`.
"""

from __future__ import annotations

from bot.language import LANGUAGES
from bot.staff.inbox import UNKNOWN_LANGUAGE

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
# The inbox's extra value: a message whose language nobody knows.
INBOX_LANGUAGE_NAMES = {**LANGUAGE_NAMES, UNKNOWN_LANGUAGE: "language not known"}
assert set(LANGUAGE_NAMES) == set(LANGUAGES), "name every language of bot.language"
