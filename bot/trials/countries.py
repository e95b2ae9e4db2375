"""Country names as trial records spell them, said in the reader's language.

ClinicalTrials.gov names countries in English ("Korea, Republic of"); a French reader
sees "Corée du Sud". The names come from the Unicode CLDR data that Babel ships, so
none is written by hand; a name Babel does not know is shown as the record spells it.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from bot.language import DEFAULT_LANGUAGE

# Record spellings that differ from CLDR's English names -> ISO 3166 code.
_RECORD_SPELLINGS = {
    "Korea, Republic of": "KR",
    "Russian Federation": "RU",
    "Iran, Islamic Republic of": "IR",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Taiwan, Province of China": "TW",
    "Vietnam": "VN",
}
# French says "en France", "au Canada", "aux Pays-Bas", "à Singapour": names whose first
# word ends in "e" or starts with a vowel take "en", except these.
_MASCULINE_IN_E = frozenset({"Mexique", "Cambodge", "Mozambique", "Zimbabwe", "Belize"})
_CITY_OR_ISLAND = frozenset(
    {"Singapour", "Hong Kong", "Macao", "Monaco", "Cuba", "Malte", "Chypre", "Madagascar"}
)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    names = {name: code for code, name in Locale("en").territories.items()}
    return {**names, **_RECORD_SPELLINGS}


def country_name(name: str, *, language: str = DEFAULT_LANGUAGE) -> str:
    """`name` (a record's English spelling) in `language`; unchanged if unknown."""
    if language == DEFAULT_LANGUAGE:
        return name
    code = _codes().get(name)
    try:
        translated = Locale(language).territories.get(code) if code else None
    except (ValueError, LookupError):  # a language Babel does not know
        translated = None
    return translated or name


def in_country(name: str, *, language: str = DEFAULT_LANGUAGE) -> str:
    """Say "in <country>": "en France", "aux États-Unis", "au Canada", "à Singapour".

    A French name the rules cannot place is said without a preposition to get wrong.
    """
    local = country_name(name, language=language)
    if language != "fr":
        return f"in {local}"
    first = local.split()[0]
    if local in _CITY_OR_ISLAND:
        return f"à {local}"
    if name not in _codes():  # unknown to the rules: no preposition to get wrong
        return f"dans ce pays ({local})"
    if local.endswith("s") and local != "Laos":
        return f"aux {local}"
    if local in _MASCULINE_IN_E:
        return f"au {local}"
    if first[:1].upper() in "AEIOUÉÈÎ" or first.endswith("e"):
        return f"en {local}"
    return f"au {local}"
