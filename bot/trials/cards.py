"""One trial result as a card: the same facts as data (for the chat page) and as text.

A page that can draw cards reads `TrialCard.as_json()` from the answer's custom JSON
(key `TRIALS_KEY`); every other channel reads `TrialCard.as_text()`, one block per
trial in the answer's text. Both come from the one card, so they cannot disagree.
Every word of a card is here in English and French side by side; the trial's title
stays as registered on ClinicalTrials.gov, in English, and a French card says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.kb.answers import format_day
from bot.language import DEFAULT_LANGUAGE
from bot.trials.countries import country_name
from bot.trials.search import TrialMatch
from bot.trials.tables import Trial, TrialLocation

TRIALS_KEY = "trials"  # the custom JSON key that carries the cards
CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"
RECORD_LANGUAGE = "en"  # ClinicalTrials.gov records are in English

_PHASE_NUMBER = {
    "EARLY_PHASE1": "1",
    "PHASE1": "1",
    "PHASE2": "2",
    "PHASE3": "3",
    "PHASE4": "4",
}
# In the words of the trial-phases article.
_PHASE_MEANING: dict[str, dict[str, str]] = {
    "en": {
        "EARLY_PHASE1": "early: first small tests in people",
        "PHASE1": "first tests in people, for safety and dose",
        "PHASE2": "tests how well it works",
        "PHASE3": "compares it with the usual treatment",
        "PHASE4": "follows a treatment after its approval",
    },
    "fr": {
        "EARLY_PHASE1": "précoce : premiers petits tests chez l'humain",
        "PHASE1": "premiers tests chez l'humain, pour la sécurité et la dose",
        "PHASE2": "teste si le traitement marche bien",
        "PHASE3": "le compare au traitement habituel",
        "PHASE4": "suit un traitement après son autorisation",
    },
}
_OPEN: dict[str, dict[str, tuple[bool, str]]] = {  # only trials that can still take people
    "en": {
        "RECRUITING": (True, "Yes, it is looking for people to join."),
        "NOT_YET_RECRUITING": (False, "Not yet, it will look for people soon."),
    },
    "fr": {
        "RECRUITING": (True, "Oui, il cherche des personnes pour y participer."),
        "NOT_YET_RECRUITING": (False, "Pas encore, il en cherchera bientôt."),
    },
}
_CLOSED = {"en": "Not open to new patients.", "fr": "Il n'accepte pas de nouveaux patients."}
BROADS = {
    "en": "It is open to many kinds of solid tumour.",
    "fr": "Il est ouvert à de nombreux types de tumeurs solides.",
}
BROAD = BROADS[DEFAULT_LANGUAGE]
# The words around the facts, in each language.
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "{number}. {title}",
        "status": "Open to new patients: {status}",
        "where": "Where: {where}.",
        "ages": "Ages: {ages}.",
        "url": "See the trial: {url}",
        "phase": "Phase {numbers} ({meanings})",
        "then": ", then ",
        "not_given": "not given",
        "from_to": "{low} to {high}",
        "from": "{low} and over",
        "to": "up to {high}",
        "FEMALE": "women only",
        "MALE": "men only",
        "no_country": "Country not given",
        "a_site": "a site",
        "more": (" and 1 more", " and {count} more"),
        "other_countries": (", and 1 other country", ", and {count} other countries"),
        "between_countries": "; ",
        "nowhere": "not given in the record",
        "no_date": "The record has no date, so it may be out of date.",
        "this_month": "this month",
        "month_ago": "1 month ago",
        "months_ago": "{count} months ago",
        "years_ago": "{count} years ago",
        "updated": "Last updated {day} ({age}).",
        "taken": "Record from {day} ({age}).",
        "may_change": "Its status may have changed: check the trial's page.",
    },
    "fr": {
        "title": "{number}. {title}",
        "status": "Ouvert aux nouveaux patients : {status}",
        "where": "Où : {where}.",
        "ages": "Âges : {ages}.",
        "url": "Voir l'essai (en anglais) : {url}",
        "phase": "Phase {numbers} ({meanings})",
        "then": ", puis ",
        "not_given": "non indiqué",
        "from_to": "de {low} à {high}",
        "from": "{low} et plus",
        "to": "jusqu'à {high}",
        "FEMALE": "femmes seulement",
        "MALE": "hommes seulement",
        "no_country": "Pays non indiqué",
        "a_site": "un centre",
        "more": (" et 1 autre", " et {count} autres"),
        "other_countries": (", et 1 autre pays", ", et {count} autres pays"),
        "between_countries": " ; ",
        "nowhere": "non indiqué dans la fiche",
        "no_date": "La fiche n'a pas de date : elle n'est peut-être plus à jour.",
        "this_month": "ce mois-ci",
        "month_ago": "il y a 1 mois",
        "months_ago": "il y a {count} mois",
        "years_ago": "il y a {count} ans",
        "updated": "Mise à jour le {day} ({age}).",
        "taken": "Fiche du {day} ({age}).",
        "may_change": "Son statut a pu changer : vérifiez la page de l'essai.",
    },
}
# A record's age limits say "18 Years", "6 Months": the units in each language.
_UNITS = {
    "fr": {"year": "an", "years": "ans", "month": "mois", "months": "mois",
           "week": "semaine", "weeks": "semaines", "day": "jour", "days": "jours"},
}  # fmt: skip


def _in(texts: Mapping[str, Any], language: str) -> Any:
    """The entry for `language`, else the default language's."""
    return texts.get(language) or texts[DEFAULT_LANGUAGE]


def _word(key: str, language: str) -> str:
    return str(_in(_WORDS, language)[key])


def _count(forms: tuple[str, str], count: int) -> str:
    """The "one" or the "many" form, for `count` things."""
    return forms[0] if count == 1 else forms[1].format(count=count)


@dataclass(frozen=True)
class TrialCard:
    """What a person needs to know about one trial, in plain words, in one language."""

    number: int  # its place in the results, from 1
    nct_id: str
    title: str  # as registered, in English (`RECORD_LANGUAGE`)
    phase: str | None  # "Phase 1 (first tests in people, for safety and dose)"
    open: bool  # open to new patients now (else: not yet)
    status: str  # the same, in words
    broad: bool  # open to many solid tumours, not only the cancer asked for
    where: str  # "France (Paris, Lyon); Belgium (Brussels)"
    ages: str | None  # "18 and over", "18 to 75, women only"
    url: str  # the record on ClinicalTrials.gov (https)
    updated_on: dt.date | None  # the record's last update on ClinicalTrials.gov
    record: str  # the record's date and age in words, with a warning
    language: str = DEFAULT_LANGUAGE  # of the card's own words

    def as_json(self) -> dict[str, Any]:
        """The card as the custom JSON carries it."""
        return {
            "nct_id": self.nct_id,
            "title": self.title,
            "title_language": RECORD_LANGUAGE,  # a page marks the title with `lang`
            "phase": self.phase,
            "open": self.open,
            "status": self.status,
            "note": _in(BROADS, self.language) if self.broad else None,
            "where": self.where,
            "ages": self.ages,
            "url": self.url,
            "updated_on": self.updated_on.isoformat() if self.updated_on else None,
            "record": self.record,
        }

    def as_text(self) -> str:
        """The card as one block of plain text (no blank line inside)."""
        words = _in(_WORDS, self.language)
        lines = [
            words["title"].format(number=self.number, title=self.title),
            f"{self.phase}." if self.phase else None,
            words["status"].format(status=self.status),
            _in(BROADS, self.language) if self.broad else None,
            words["where"].format(where=self.where),
            words["ages"].format(ages=self.ages) if self.ages else None,
            words["url"].format(url=self.url),
            self.record,
        ]
        return "\n".join(line for line in lines if line)


def phase_words(phases: Sequence[str], *, language: str = DEFAULT_LANGUAGE) -> str | None:
    """The phase in plain words, or None when the record gives none."""
    known = [p for p in phases if p in _PHASE_NUMBER]
    if not known:
        return None
    meanings = _in(_PHASE_MEANING, language)
    return _word("phase", language).format(
        numbers="/".join(_PHASE_NUMBER[p] for p in known),
        meanings=_word("then", language).join(meanings[p] for p in known),
    )


def number_words(value: float | None, *, language: str = DEFAULT_LANGUAGE) -> str:
    """A number as a person writes it: 60, not 60.0 (and 0,5 in French)."""
    if value is None:
        return _word("not_given", language)
    text = str(int(value)) if float(value).is_integer() else str(value)
    return text.replace(".", ",") if language == "fr" else text


def _age_limit(text: str | None, years: float | None, language: str) -> str:
    """One age limit: "18" in English, "18 ans" in French; other units in words."""
    words = (text or "").lower().split()
    units = _UNITS.get(language, {})
    if years is not None and words[-1:] in (["year"], ["years"]):
        number = number_words(years, language=language)
        return f"{number} {units['year' if years < 2 else 'years']}" if units else number
    return " ".join(units.get(word, word) for word in words)


def age_words(trial: Trial, *, language: str = DEFAULT_LANGUAGE) -> str | None:
    """The trial's age limits (and sex, if only one), or None when it gives none."""
    low = _age_limit(trial.minimum_age, trial.minimum_age_years, language)
    high = _age_limit(trial.maximum_age, trial.maximum_age_years, language)
    words = _in(_WORDS, language)
    sex = words.get(trial.sex) if trial.sex in ("FEMALE", "MALE") else None
    if low and high:
        ages = words["from_to"].format(low=low, high=high)
    elif low or high:
        ages = words["from"].format(low=low) if low else words["to"].format(high=high)
    else:
        return sex.capitalize() if sex else None
    return f"{ages}, {sex}" if sex else ages


def where_words(
    sites: Sequence[TrialLocation], first_country: str, *, language: str = DEFAULT_LANGUAGE
) -> str:
    """Where the trial runs: up to 3 countries, the hospital's first, 3 cities each."""
    words = _in(_WORDS, language)
    cities: dict[str, list[str]] = {}
    for site in sites:
        country = site.country or words["no_country"]
        city = site.city or site.facility or words["a_site"]
        if city not in cities.setdefault(country, []):
            cities[country].append(city)
    order = sorted(cities, key=lambda c: (c != first_country, -len(cities[c]), c))
    parts = []
    for country in order[:3]:
        names = cities[country]
        more = _count(words["more"], len(names) - 3) if len(names) > 3 else ""
        local = country_name(country, language=language)
        parts.append(f"{local} ({', '.join(names[:3])}{more})")
    others = _count(words["other_countries"], len(order) - 3) if len(order) > 3 else ""
    return f"{words['between_countries'].join(parts)}{others}" if parts else words["nowhere"]


def day_words(day: dt.date, *, language: str = DEFAULT_LANGUAGE) -> str:
    """A date as the answers write it ("28 September 2023"), with French "1er octobre"."""
    text = format_day(day, language)
    return "1er" + text[1:] if language == "fr" and day.day == 1 else text


def record_age(trial: Trial, today: dt.date, *, language: str = DEFAULT_LANGUAGE) -> str:
    """The record's date and age in words: statuses change.

    The date is the record's last update on ClinicalTrials.gov; without one, the day
    this copy of the record was taken.
    """
    words = _in(_WORDS, language)
    taken = trial.last_update or trial.data_date
    if taken is None:
        return words["no_date"]
    months = (today.year - taken.year) * 12 + today.month - taken.month
    if months < 1:
        age = words["this_month"]
    elif months < 24:
        age = words["month_ago"] if months == 1 else words["months_ago"].format(count=months)
    else:
        age = words["years_ago"].format(count=months // 12)
    when = words["updated" if trial.last_update else "taken"]
    day = day_words(taken, language=language)
    return f"{when.format(day=day, age=age)} {words['may_change']}"


def trial_card(
    number: int,
    match: TrialMatch,
    first_country: str,
    today: dt.date,
    *,
    language: str = DEFAULT_LANGUAGE,
) -> TrialCard:
    """The card of one result.

    Args:
        number: its place in the results, from 1.
        match: the trial and the sites that answer the person's "where".
        first_country: the hospital's country, named first.
        today: for the record's age.
        language: the language of the card's words (the title stays as registered).
    """
    trial = match.trial
    closed = (False, _in(_CLOSED, language))
    is_open, status = _in(_OPEN, language).get(trial.overall_status, closed)
    return TrialCard(
        number=number,
        nct_id=trial.nct_id,
        title=trial.brief_title,
        phase=phase_words(trial.phases or [], language=language),
        open=is_open,
        status=status,
        broad=match.broad,
        where=where_words(match.sites, first_country, language=language),
        ages=age_words(trial, language=language),
        url=CTGOV_STUDY_URL.format(nct_id=trial.nct_id),
        updated_on=trial.last_update,
        record=record_age(trial, today, language=language),
        language=language,
    )
