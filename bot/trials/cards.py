"""One trial result as a card: the same facts as data (for the chat page) and as text.

A page that can draw cards reads `TrialCard.as_json()` from the answer's custom JSON
(key `TRIALS_KEY`); every other channel reads `TrialCard.as_text()`, one block per
trial in the answer's text. Both come from the one card, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.trials.search import TrialMatch
from bot.trials.tables import Trial, TrialLocation

TRIALS_KEY = "trials"  # the custom JSON key that carries the cards
CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"

_PHASE_NUMBER = {
    "EARLY_PHASE1": "1",
    "PHASE1": "1",
    "PHASE2": "2",
    "PHASE3": "3",
    "PHASE4": "4",
}
# In the words of the trial-phases article.
_PHASE_MEANING = {
    "EARLY_PHASE1": "early: first small tests in people",
    "PHASE1": "first tests in people, for safety and dose",
    "PHASE2": "tests how well it works",
    "PHASE3": "compares it with the usual treatment",
    "PHASE4": "follows a treatment after its approval",
}
_OPEN = {  # only trials that can still take people are shown
    "RECRUITING": (True, "Yes, it is looking for people to join."),
    "NOT_YET_RECRUITING": (False, "Not yet, it will look for people soon."),
}
BROAD = "It is open to many kinds of solid tumour."


@dataclass(frozen=True)
class TrialCard:
    """What a person needs to know about one trial, in plain words."""

    number: int  # its place in the results, from 1
    nct_id: str
    title: str
    phase: str | None  # "Phase 1 (first tests in people, for safety and dose)"
    open: bool  # open to new patients now (else: not yet)
    status: str  # the same, in words
    broad: bool  # open to many solid tumours, not only the cancer asked for
    where: str  # "France (Paris, Lyon); Belgium (Brussels)"
    ages: str | None  # "18 and over", "18 to 75, women only"
    url: str  # the record on ClinicalTrials.gov (https)
    updated_on: dt.date | None  # the record's last update on ClinicalTrials.gov
    record: str  # the record's date and age in words, with a warning

    def as_json(self) -> dict[str, Any]:
        """The card as the custom JSON carries it."""
        return {
            "nct_id": self.nct_id,
            "title": self.title,
            "phase": self.phase,
            "open": self.open,
            "status": self.status,
            "note": BROAD if self.broad else None,
            "where": self.where,
            "ages": self.ages,
            "url": self.url,
            "updated_on": self.updated_on.isoformat() if self.updated_on else None,
            "record": self.record,
        }

    def as_text(self) -> str:
        """The card as one block of plain text (no blank line inside)."""
        lines = [
            f"{self.number}. {self.title}",
            f"{self.phase}." if self.phase else None,
            f"Open to new patients: {self.status}",
            BROAD if self.broad else None,
            f"Where: {self.where}.",
            f"Ages: {self.ages}." if self.ages else None,
            f"See the trial: {self.url}",
            self.record,
        ]
        return "\n".join(line for line in lines if line)


def phase_words(phases: Sequence[str]) -> str | None:
    """The phase in plain words, or None when the record gives none."""
    known = [p for p in phases if p in _PHASE_NUMBER]
    if not known:
        return None
    numbers = "/".join(_PHASE_NUMBER[p] for p in known)
    return f"Phase {numbers} ({', then '.join(_PHASE_MEANING[p] for p in known)})"


def number_words(value: float | None) -> str:
    """A number as a person writes it: 60, not 60.0."""
    if value is None:
        return "not given"
    return str(int(value)) if float(value).is_integer() else str(value)


def _age_limit(text: str | None, years: float | None) -> str:
    if years is not None and (text or "").lower().endswith(("year", "years")):
        return number_words(years)
    return (text or "").lower()


def age_words(trial: Trial) -> str | None:
    """The trial's age limits (and sex, if only one), or None when it gives none."""
    low = _age_limit(trial.minimum_age, trial.minimum_age_years)
    high = _age_limit(trial.maximum_age, trial.maximum_age_years)
    sex = {"FEMALE": "women only", "MALE": "men only"}.get(trial.sex)
    if low and high:
        ages = f"{low} to {high}"
    elif low or high:
        ages = f"{low} and over" if low else f"up to {high}"
    else:
        return sex.capitalize() if sex else None
    return f"{ages}, {sex}" if sex else ages


def where_words(sites: Sequence[TrialLocation], first_country: str) -> str:
    """Where the trial runs: up to 3 countries, the hospital's first, 3 cities each."""
    cities: dict[str, list[str]] = {}
    for site in sites:
        country = site.country or "Country not given"
        city = site.city or site.facility or "a site"
        if city not in cities.setdefault(country, []):
            cities[country].append(city)
    order = sorted(cities, key=lambda c: (c != first_country, -len(cities[c]), c))
    parts = []
    for country in order[:3]:
        names = cities[country]
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        parts.append(f"{country} ({', '.join(names[:3])}{more})")
    others = f", and {len(order) - 3} other countries" if len(order) > 3 else ""
    return f"{'; '.join(parts)}{others}" if parts else "not given in the record"


def record_age(trial: Trial, today: dt.date) -> str:
    """The record's date and age in words: statuses change.

    The date is the record's last update on ClinicalTrials.gov; without one, the day
    this copy of the record was taken.
    """
    taken = trial.last_update or trial.data_date
    if taken is None:
        return "The record has no date, so it may be out of date."
    months = (today.year - taken.year) * 12 + today.month - taken.month
    if months < 1:
        age = "this month"
    elif months < 24:
        age = f"{months} month{'s' if months > 1 else ''} ago"
    else:
        age = f"{months // 12} years ago"
    what = "Last updated" if trial.last_update else "Record from"
    return (
        f"{what} {taken.day} {taken:%B %Y} ({age}). "
        "Its status may have changed: check the trial's page."
    )


def trial_card(number: int, match: TrialMatch, first_country: str, today: dt.date) -> TrialCard:
    """The card of one result.

    Args:
        number: its place in the results, from 1.
        match: the trial and the sites that answer the person's "where".
        first_country: the hospital's country, named first.
        today: for the record's age.
    """
    trial = match.trial
    is_open, status = _OPEN.get(trial.overall_status, (False, "Not open to new patients."))
    return TrialCard(
        number=number,
        nct_id=trial.nct_id,
        title=trial.brief_title,
        phase=phase_words(trial.phases or []),
        open=is_open,
        status=status,
        broad=match.broad,
        where=where_words(match.sites, first_country),
        ages=age_words(trial),
        url=CTGOV_STUDY_URL.format(nct_id=trial.nct_id),
        updated_on=trial.last_update,
        record=record_age(trial, today),
    )
