"""Understand a person's answers to the trial-search questions, in their own words.

`read_answers` finds every value a message gives: the cancer type, the age, the kind of
immunotherapy, the place, and the person's sex when the words say it ("my dad").
Values already given in the first message are therefore not asked again, and a
correction ("actually he is 58") is understood at any question. English and French
answers are read alike and give the same values ("cancer du poumon" is "Lung cancer").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.trials.cancer_types import find_cancer_types, most_specific, slot_value
from bot.trials.folding import fold
from bot.trials.search import ANY, ANYWHERE, COUNTRY, HOSPITAL
from bot.trials.tags import BISPECIFIC, CELL_THERAPY, CHECKPOINT, OTHER, VACCINE

CANCER_TYPE = "cancer_type"
AGE = "age"
THERAPY_KIND = "therapy_kind"
TRIAL_PLACE = "trial_place"
PERSON_SEX = "person_sex"
QUESTION_ORDER = (CANCER_TYPE, AGE, THERAPY_KIND, TRIAL_PLACE)  # asked in this order

SKIP = "skip"  # the person skipped a question that needs an answer
MAX_AGE = 120
_MAX_FREE_TEXT_WORDS = 6

# Each pattern reads English and French: a person may answer in either, whatever the
# conversation's language, and both give the same slot values. Patterns are matched on
# folded text (`bot.trials.folding.fold`: no accents), so they are written without any.
_SKIP = re.compile(
    r"^\s*((i'?d rather |i want to |let'?s )?skip( this| that| it)?( question)?|"
    r"any|anything|any kind|any type|anywhere|all|either|whatever|no preference|"
    r"i don'?t (mind|care|know)|don'?t (mind|care|know)|not sure|no idea|doesn'?t matter|"
    r"pass|next|none|no|no thanks|"
    # French
    r"(je )?(prefere |voudrais |veux )?passer( cette| la)?( question)?|je passe|on passe|"
    r"suivant|peu importe|n'?importe (lequel|laquelle|quoi|ou)|"
    r"n'?importe quel(le)? (type|sorte|genre)|(de )?tous?( les types)?|toutes|aucun|aucune|"
    r"rien|non|non merci|(je ne |je n'en |j'en )?sais pas|(je )?(ne )?sais pas|ch?ais pas|"
    r"peu m'importe|n'?importe|(je )?m'en fiche|(je )?m'en moque|"
    r"je ne suis pas sur(e)?|pas sur(e)?|aucune idee|aucune importance|"
    r"(ca )?(m'est |n'a pas d')?egal|ca n'a pas d'importance|pas de preference|"
    r"sans preference|comme vous voulez)\s*[.!]*\s*$",
    re.IGNORECASE,
)
# "Immunotherapy" alone, to the kind question: every trial here is one, so any kind.
_ANY_KIND = re.compile(
    r"^\s*(any |all |toutes? (les )?|n'?importe quelle |une |l')?immunotherap\w*\s*[.!]*\s*$",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"^\s*(stop|cancel|quit|exit|abort|never ?mind|forget it|enough|"
    r"arrete[rz]?|on arrete|annule[rz]?|laisse[zr]? tomber|ca suffit|quitter|stopper)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\s*(what|how|why|when|who|which|is|are|can|could|does|do|will|should|tell me|"
    r"qu'est|quel(le)?s?|comment|pourquoi|quand|qui|combien|est-ce|c'est quoi|"
    r"pouvez-vous|peut-on|puis-je|dites-moi)\b",
    re.IGNORECASE,
)
_AGE_WITH_UNIT = re.compile(
    r"\b(\d{1,3})\s*(?:-|\s)?\s*(years?|yrs?|y/?o|months?|ans?|mois)\b(?:[\s-]*old)?",
    re.IGNORECASE,
)
_AGE_STATED = re.compile(
    r"\b(?:i am|i'?m|im|he is|he'?s|she is|she'?s|they are|they'?re|is now|aged?|age is|"
    r"j'?\s?ai|il a|elle a|ils ont|elles ont|il aura|elle aura|agee?s? de|age de|a maintenant)"
    r"\s+(?:now\s+|only\s+|just\s+|maintenant\s+|seulement\s+|juste\s+)?(\d{1,3})\b",
    re.IGNORECASE,
)
# "3 and a half years", "3 ans et demi"
_HALF = re.compile(r"^\s*(and a half|et demie?)\b", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\D*?(\d{1,3}(?:[.,]5)?)\D*$")
_HOSPITAL_WORDS = re.compile(
    r"\b(here|this hospital|your hospital|at the hospital|nearby|near me|curie|"
    r"ici|cet hopital|votre hopital|a l'hopital|dans l'hopital|pres de chez moi|pres d'ici|"
    r"a cote de chez moi|pas loin|a proximite)\b",
    re.IGNORECASE,
)
_ANYWHERE_WORDS = re.compile(
    r"\b(anywhere|any ?where|any country|worldwide|the world|abroad|any place|"
    r"n'?importe ou|partout|dans le monde|monde entier|etranger|tout pays|n'?importe quel pays)\b",
    re.IGNORECASE,
)
# Places in the hospital's country, read as "in <country>": the closest choice that holds
# them, as the search filters by country, not by city.
_PLACES_IN: dict[str, str] = {
    "France": r"paris|ile[- ]de[- ]france|region parisienne|idf",
}
_MALE = re.compile(
    r"\b(he|him|his|dad|daddy|father|husband|son|brother|man|boy|grandfather|grandpa|"
    r"uncle|male|boyfriend|"
    # French; "il" only where it names a person ("il a 60 ans", not "il y a", "s'il")
    r"papa|mari|fils|frere|homme|garcon|grand-pere|grand pere|papi|papy|oncle|"
    r"beau-pere|compagnon|copain)\b"
    r"|\b(mon|son|ton|notre|votre|leur|le|du|au) pere\b"
    r"|(?<!')\bil (a|aura|avait|est atteint|souffre|vient)\b",
    re.IGNORECASE,
)
_FEMALE = re.compile(
    r"\b(she|her|mum|mom|mummy|mother|wife|daughter|sister|woman|girl|grandmother|grandma|"
    r"aunt|female|girlfriend|"
    r"maman|femme|epouse|fille|soeur|grand-mere|grand mere|mamie|mamy|tante|"
    r"belle-mere|compagne|copine|conjointe)\b"
    r"|\b(ma|sa|ta|notre|votre|leur|la) mere\b"
    r"|\belle (a|aura|avait|est atteinte|souffre|vient)\b",
    re.IGNORECASE,
)
# Plain words for the kinds, beside the knowledge-base terms; "other" only answers the question.
_KIND_WORDS: dict[str, re.Pattern[str]] = {
    kind: re.compile(rf"\b({words})\b", re.IGNORECASE)
    for kind, words in (
        (CHECKPOINT, r"checkpoints?|points? de controle|inhibiteurs? de checkpoints?"),
        (VACCINE, r"vaccines?|vaccins?|vaccination"),
        (CELL_THERAPY, r"cell therap\w*|car.?t|therapies? cellulaires?|cellules? car"),
        (BISPECIFIC, r"bispecifi\w*|engagers?"),
        (OTHER, r"other|others|autres?"),
    )
}


def is_question(text: str) -> bool:
    """True if the message asks something rather than answers."""
    return text.rstrip().endswith("?") or bool(_QUESTION_START.match(fold(text)))


def is_skip(text: str) -> bool:
    """True for "skip", "any", "I don't mind", "peu importe" and the like."""
    return bool(_SKIP.match(fold(text)))


def read_cancer(text: str) -> str | None:
    """The plain name of the cancer types the text names, or None."""
    return slot_value(most_specific(find_cancer_types(text)))


def read_age(text: str, *, asked: bool) -> float | None:
    """The age the text gives in years; a bare number counts only when age was asked."""
    match = _AGE_WITH_UNIT.search(text)
    if match:
        years = float(match.group(1)) + (0.5 if _HALF.match(text[match.end() :]) else 0)
        in_months = match.group(2).lower().startswith(("month", "mois"))
        return round(years / 12, 2) if in_months else years
    match = _AGE_STATED.search(text) or (_BARE_NUMBER.match(text) if asked else None)
    return float(match.group(1).replace(",", ".")) if match else None


def read_kind(text: str, kinds_in: Callable[[str], list[str]], *, asked: bool) -> str | None:
    """The kind of immunotherapy the text names; "any" counts when the kind was asked."""
    if asked and (is_skip(text) or _ANY_KIND.match(fold(text))):
        return ANY
    named = kinds_in(text) or [
        kind
        for kind, words in _KIND_WORDS.items()
        if words.search(text) and (asked or kind != OTHER)
    ]
    return named[0] if named else None


def read_place(text: str, country: str, *, asked: bool) -> str | None:
    """HOSPITAL, COUNTRY or ANYWHERE as the text says; "any" counts when place was asked."""
    if _HOSPITAL_WORDS.search(text):
        return HOSPITAL
    if country and re.search(rf"\b{re.escape(fold(country))}\b", text, re.IGNORECASE):
        return COUNTRY
    places = _PLACES_IN.get(country)
    if places and re.search(rf"\b({places})\b", text, re.IGNORECASE):
        return COUNTRY
    if _ANYWHERE_WORDS.search(text) or (asked and is_skip(text)):
        return ANYWHERE
    return None


def read_sex(text: str) -> str | None:
    """MALE or FEMALE when the words say so without doubt, else None."""
    male, female = bool(_MALE.search(text)), bool(_FEMALE.search(text))
    if male == female:
        return None
    return "MALE" if male else "FEMALE"


def read_answers(
    text: str,
    requested: str | None,
    *,
    kinds_in: Callable[[str], list[str]],
    country: str,
    free_text: bool = True,
) -> dict[str, Any]:
    """Return slot -> value for everything `text` answers.

    Args:
        text: the person's message.
        requested: the question being asked (a slot name), or None at the start.
        kinds_in: the immunotherapy kinds a text names (from the knowledge-base terms).
        country: this hospital's country, as its trial records spell it.
        free_text: take a short unknown answer to the cancer question as a cancer type
            (the caller says no when the message is clearly about something else).
    """
    words = " ".join(text.split())  # kept as typed for a cancer type we do not know
    text = fold(words)
    if not text or _STOP.match(text) or (is_question(text) and requested is not None):
        return {}  # the form steps aside: the question is answered, or the search stops
    values: dict[str, Any] = {}
    age = read_age(text, asked=requested == AGE)
    if age is not None:
        values[AGE] = age
    elif requested == AGE and is_skip(text):
        values[AGE] = SKIP
    kind = read_kind(text, kinds_in, asked=requested == THERAPY_KIND)
    if kind:
        values[THERAPY_KIND] = kind
    place = read_place(text, country, asked=requested == TRIAL_PLACE)
    if place:
        values[TRIAL_PLACE] = place
    sex = read_sex(text)
    if sex:
        values[PERSON_SEX] = sex
    cancer = read_cancer(text)
    if cancer:
        values[CANCER_TYPE] = cancer
    elif requested == CANCER_TYPE:
        # A message that answers another question ("he is 58", "CAR-T") is not a cancer
        # name; one that only says who it is for ("my dad's cholangiocarcinoma") may be.
        other = {AGE, THERAPY_KIND, TRIAL_PLACE} & set(values)
        free = free_text and not other and len(text.split()) <= _MAX_FREE_TEXT_WORDS
        values[CANCER_TYPE] = SKIP if is_skip(text) else (words[:60] if free else None)
    ordered = (*QUESTION_ORDER, PERSON_SEX)  # the order the questions are asked in
    return {slot: values[slot] for slot in ordered if values.get(slot) is not None}
