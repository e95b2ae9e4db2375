"""Find trials that may fit a person, best first, and say what was left out and why.

Only trials that can still take people are offered (recruiting, then not yet recruiting).
Age and sex outside a trial's limits exclude it. Nothing here decides eligibility: the
trial team does, and the answer says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, noload
from sqlalchemy.sql.elements import ColumnElement

from bot.trials.cancer_types import (
    SOLID_TUMOURS,
    find_cancer_types,
    is_solid,
    most_specific,
    parent_or_self,
)
from bot.trials.tables import JOINABLE_STATUSES, Trial, TrialLocation

HOSPITAL = "hospital"
COUNTRY = "country"
ANYWHERE = "anywhere"
ANY = "any"


@dataclass(frozen=True)
class Sites:
    """What counts as this hospital's sites and country (hospital settings)."""

    names: tuple[str, ...]
    country: str

    def is_hospital(self, location: TrialLocation) -> bool:
        """True if the location is one of this hospital's sites."""
        facility = (location.facility or "").casefold()
        return any(name.casefold() in facility for name in self.names if name.strip())

    def in_country(self, location: TrialLocation) -> bool:
        """True if the location is in this hospital's country."""
        return (location.country or "").casefold() == self.country.casefold()


@dataclass(frozen=True)
class TrialQuery:
    """What the person told the assistant."""

    cancer: str  # their words, or the plain name of a known type
    age: float | None = None
    sex: str | None = None  # FEMALE, MALE, or None when unknown
    kind: str = ANY
    place: str = ANYWHERE

    @property
    def cancer_types(self) -> list[str]:
        """The most specific cancer type keys the person's words name."""
        return most_specific(find_cancer_types(self.cancer))


@dataclass
class TrialMatch:
    """A trial that may fit, with the sites that answer the person's 'where'."""

    trial: Trial
    broad: bool  # open to many solid tumours, not only this cancer
    sites: list[TrialLocation]


@dataclass
class TrialSearch:
    """The result of a search: matches best first, and what was left out."""

    query: TrialQuery
    matches: list[TrialMatch] = field(default_factory=list)
    for_cancer: int = 0  # trials in the list for this cancer, whatever their status
    closed: int = 0
    excluded_by_age: int = 0
    excluded_by_sex: int = 0
    other_kind: int = 0
    elsewhere: int = 0


def _outside_age(trial: Trial, age: float | None) -> bool:
    if age is None:
        return False
    low, high = trial.minimum_age_years, trial.maximum_age_years
    # "65 Years" as a maximum includes everyone who is 65, up to their 66th birthday.
    return (low is not None and age < low) or (high is not None and age >= high + 1)


def _outside_sex(trial: Trial, sex: str | None) -> bool:
    return sex is not None and trial.sex not in ("ALL", sex)


def _sites(trial: Trial, place: str, sites: Sites) -> list[TrialLocation]:
    if place == HOSPITAL:
        return [loc for loc in trial.locations if sites.is_hospital(loc)]
    if place == COUNTRY:
        return [loc for loc in trial.locations if sites.in_country(loc)]
    return list(trial.locations)


def _rank(match: TrialMatch, sites: Sites) -> tuple[int, int, int, int, int]:
    trial = match.trial
    data_date = trial.data_date or trial.last_update or dt.date.min
    return (
        JOINABLE_STATUSES.index(trial.overall_status),
        int(match.broad),
        0 if any(sites.is_hospital(loc) for loc in trial.locations) else 1,
        0 if any(sites.in_country(loc) for loc in trial.locations) else 1,
        -data_date.toordinal(),
    )


def _for_cancer(wanted: Sequence[str]) -> ColumnElement[bool]:
    """SQL filter: trials tagged with one of the keys (or open to all solid tumours)."""
    keys = list(wanted) + ([SOLID_TUMOURS] if any(is_solid(k) for k in wanted) else [])
    tags = cast(Trial.cancer_types, String)  # a JSON list: '["leukaemia", "lymphoma"]'
    return or_(*(tags.like(f'%"{key}"%') for key in keys))


def find_trials(session: Session, query: TrialQuery, sites: Sites) -> TrialSearch:
    """Search the stored trials for `query`; the matches come best first."""
    search = TrialSearch(query=query)
    wanted = query.cancer_types
    if not wanted:
        return search
    for_cancer = _for_cancer(wanted)
    search.for_cancer = session.scalar(select(func.count(Trial.nct_id)).where(for_cancer)) or 0
    joinable = (
        select(Trial)
        .where(for_cancer, Trial.overall_status.in_(JOINABLE_STATUSES))
        .options(noload(Trial.interventions), noload(Trial.contacts))
        .order_by(Trial.nct_id)
    )
    for trial in session.scalars(joinable):
        if _outside_sex(trial, query.sex):
            search.excluded_by_sex += 1
        elif _outside_age(trial, query.age):
            search.excluded_by_age += 1
        elif query.kind != ANY and query.kind not in (trial.kinds or []):
            search.other_kind += 1
        elif not (here := _sites(trial, query.place, sites)):
            search.elsewhere += 1
        else:
            broad = not set(wanted) & set(trial.cancer_types or [])  # a solid-tumour trial
            search.matches.append(TrialMatch(trial=trial, broad=broad, sites=here))
    joinable_count = len(search.matches) + sum(
        (search.excluded_by_sex, search.excluded_by_age, search.other_kind, search.elsewhere)
    )
    search.closed = search.for_cancer - joinable_count
    search.matches.sort(key=lambda m: _rank(m, sites))
    return search


def cancer_choices(session: Session) -> list[str]:
    """Main cancer types (no subtypes) of the trials that can take people, most first."""
    counts: dict[str, int] = {}
    joinable = select(Trial).where(Trial.overall_status.in_(JOINABLE_STATUSES))
    for trial in session.scalars(joinable):
        for key in {parent_or_self(k) for k in trial.cancer_types or []} - {SOLID_TUMOURS}:
            counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))
