"""Render the trial finder's questions and results as chat answers (see `bot.kb.answers`).

The words are plain: a phase or a status is said in everyday language, each record's
age is given, and every result ends with the next steps. Nothing here promises that a
person can join a trial.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from bot.kb.answers import Answer, Button, fill, topic_button
from bot.kb.topics import TRIAL_SEARCH_SLUG
from bot.trials.form import AGE, CANCER_TYPE, THERAPY_KIND, TRIAL_PLACE
from bot.trials.search import ANY, COUNTRY, HOSPITAL, TrialMatch, TrialSearch
from bot.trials.tables import Trial, TrialLocation
from bot.trials.tags import KINDS

PAGE_SIZE = 3
MORE_RESULTS_PAYLOAD = "/more_trials"
STOP_PAYLOAD = "/stop"
CTGOV_STUDY_URL = "https://clinicaltrials.gov/study/{nct_id}"
CTGOV_SEARCH_URL = "https://clinicaltrials.gov/search?cond={condition}"
SOURCE = "ClinicalTrials.gov (US National Library of Medicine); each record's date is above"

_PHASE_NUMBER = {
    "EARLY_PHASE1": "1",
    "PHASE1": "1",
    "PHASE2": "2",
    "PHASE3": "3",
    "PHASE4": "4",
}
_PHASE_MEANING = {
    "EARLY_PHASE1": "early: first small tests in people",
    "PHASE1": "first tests in people, for safety and dose",
    "PHASE2": "tests how well it works",
    "PHASE3": "compares it with the usual treatment",
    "PHASE4": "follows a treatment after its approval",
}
_STATUS = {
    "RECRUITING": "Open: it is looking for people to join.",
    "NOT_YET_RECRUITING": "Not open yet: it will look for people soon.",
}
NEXT_STEPS = (
    "A match does not mean that you can join. Each trial has many rules, and only the "
    "trial team can decide who can join. Talk to your cancer doctor (oncologist) about "
    "these trials. They can tell you if one may suit you. To learn the steps, choose "
    '"How to join a trial". For questions about trials, contact {trials_contact}. '
    "Your care team: {care_team_phone}."
)
QUESTIONS: dict[str, str] = {
    CANCER_TYPE: "What type of cancer is it? Pick one below, or type it in your own words.",
    AGE: (
        "How old is the person who would join the trial? Please type the age in years, "
        "for example 60. Trials have age limits."
    ),
    THERAPY_KIND: 'Do you want a certain kind of immunotherapy? Pick one, or say "any".',
    TRIAL_PLACE: 'Where should the trial take place? Pick one, or say "anywhere".',
}
NEEDED: dict[str, str] = {
    CANCER_TYPE: (
        "I need the type of cancer, because each trial is for certain cancers. If you are "
        'not sure, your care team can tell you. You can also say "stop".'
    ),
    AGE: (
        "I need the age, because trials have age limits. Please type it as a number, "
        'for example 60. You can also say "stop".'
    ),
}
BAD_AGE = "Please type the age in years, as a number from 0 to 120, for example 60."
STOPPED = "OK, I stopped the trial search. You can ask me another question at any time."


def question(
    slot: str,
    values: Mapping[str, str],
    *,
    cancer_labels: Sequence[str] = (),
) -> Answer:
    """The question for `slot`, with buttons where they help, and one to stop."""
    text = QUESTIONS[slot]
    buttons: tuple[Button, ...] = ()
    if slot == CANCER_TYPE:
        buttons = tuple(Button(title=name, payload=name) for name in cancer_labels[:6])
    elif slot == THERAPY_KIND:
        kinds = [Button(title=name, payload=name) for name in KINDS.values()]
        buttons = (*kinds, Button(title="Any kind", payload="any kind"))
    elif slot == TRIAL_PLACE:
        buttons = (
            Button(title=f"At {values['hospital_name']}", payload="at this hospital"),
            Button(title=f"In {values['hospital_country']}", payload=values["hospital_country"]),
            Button(title="Anywhere", payload="anywhere"),
        )
    # A sure way out, whatever the NLU makes of "stop" in the person's words.
    buttons = (*buttons, Button(title="Stop the search", payload=STOP_PAYLOAD))
    return Answer(slug=TRIAL_SEARCH_SLUG, text=fill(text, values), buttons=buttons)


def _phase(phases: Sequence[str]) -> str | None:
    known = [p for p in phases if p in _PHASE_NUMBER]
    if not known:
        return None
    numbers = "/".join(_PHASE_NUMBER[p] for p in known)
    return f"Phase {numbers} ({', then '.join(_PHASE_MEANING[p] for p in known)})."


def _age_limit(text: str | None, years: float | None) -> str:
    if years is not None and (text or "").lower().endswith(("year", "years")):
        return _number(years)
    return (text or "").lower()


def _ages(trial: Trial) -> str | None:
    low = _age_limit(trial.minimum_age, trial.minimum_age_years)
    high = _age_limit(trial.maximum_age, trial.maximum_age_years)
    sex = {"FEMALE": " Women only.", "MALE": " Men only."}.get(trial.sex, "")
    if not low and not high:
        return sex.strip() or None
    if not high:
        return f"For ages {low} and over.{sex}"
    if not low:
        return f"For ages up to {high}.{sex}"
    return f"For ages {low} to {high}.{sex}"


def _where(sites: Sequence[TrialLocation], first_country: str) -> str:
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
    return f"Where: {'; '.join(parts)}{others}." if parts else "Where: not given in the record."


def record_age(trial: Trial, today: dt.date) -> str:
    """How old the record is, in words: statuses change."""
    taken = trial.data_date or trial.last_update
    if taken is None:
        return "The record has no date, so it may be out of date."
    months = (today.year - taken.year) * 12 + today.month - taken.month
    if months < 1:
        age = "this month"
    elif months < 24:
        age = f"{months} month{'s' if months > 1 else ''} ago"
    else:
        age = f"{months // 12} years ago"
    return (
        f"Record from {taken.day} {taken:%B %Y} ({age}). "
        "Its status may have changed: check the trial's page."
    )


def _describe(number: int, match: TrialMatch, first_country: str, today: dt.date) -> str:
    trial = match.trial
    lines = [
        f"{number}. {trial.brief_title}",
        _phase(trial.phases or []),
        _STATUS[trial.overall_status],
        "It is open to many kinds of solid tumour." if match.broad else None,
        _where(match.sites, first_country),
        _ages(trial),
        f"{trial.nct_id}: {CTGOV_STUDY_URL.format(nct_id=trial.nct_id)}",
        record_age(trial, today),
    ]
    return "\n".join(line for line in lines if line)


def _left_out(search: TrialSearch, values: Mapping[str, str]) -> list[str]:
    query = search.query
    notes = []
    if search.excluded_by_age:
        notes.append(
            f"{_trials(search.excluded_by_age)} left out because of their age limits "
            f"(age {_number(query.age)})."
        )
    if search.excluded_by_sex:
        notes.append(f"{_trials(search.excluded_by_sex)} left out: they are for men or women only.")
    if search.other_kind:
        kind = KINDS.get(query.kind, query.kind).lower()
        notes.append(f"{_trials(search.other_kind)} left out: they do not test a {kind}.")
    if search.elsewhere:
        where = (
            f"at {values['hospital_name']}"
            if query.place == HOSPITAL
            else f"in {values['hospital_country']}"
        )
        notes.append(f"{_trials(search.elsewhere)} left out: they have no site {where}.")
    if search.closed:
        notes.append(f"{_trials(search.closed)} closed to new people, so not shown.")
    return notes


def _trials(count: int) -> str:
    return "1 trial was" if count == 1 else f"{count} trials were"


def _number(value: float | None) -> str:
    if value is None:
        return "not given"
    return str(int(value)) if float(value).is_integer() else str(value)


def _summary(search: TrialSearch, values: Mapping[str, str]) -> str:
    query = search.query
    parts = [query.cancer, f"age {_number(query.age)}"]
    if query.kind != ANY:
        parts.append(KINDS.get(query.kind, query.kind).lower())
    if query.place == HOSPITAL:
        parts.append(f"at {values['hospital_name']}")
    elif query.place == COUNTRY:
        parts.append(f"in {values['hospital_country']}")
    return ", ".join(parts)


def results(
    search: TrialSearch,
    values: Mapping[str, str],
    *,
    offset: int,
    total_in_list: int,
    today: dt.date,
) -> Answer:
    """The trials from `offset` (at most `PAGE_SIZE`), what was left out, the next steps."""
    if not search.matches:
        return no_match(search, values, total_in_list=total_in_list)
    shown = search.matches[offset : offset + PAGE_SIZE]
    if not shown:
        text = "There are no more trials for this search. " + fill(NEXT_STEPS, values)
        return Answer(slug=TRIAL_SEARCH_SLUG, text=text, buttons=_after_buttons(False))
    first, last, count = offset + 1, offset + len(shown), len(search.matches)
    found = "1 trial" if count == 1 else f"{count} trials"
    intro = f"I found {found} in our list that may fit ({_summary(search, values)}). " + (
        f"Here are {first} to {last}, best first." if count > 1 else "Here it is."
    )
    blocks = [intro]
    blocks += [
        _describe(first + i, match, values["hospital_country"], today)
        for i, match in enumerate(shown)
    ]
    blocks += [" ".join(_left_out(search, values))] if offset == 0 else []
    blocks.append(fill(NEXT_STEPS, values))
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text="\n\n".join(b for b in blocks if b),
        buttons=_after_buttons(last < count),
        source=SOURCE,
    )


def no_match(search: TrialSearch, values: Mapping[str, str], *, total_in_list: int) -> Answer:
    """Say plainly that nothing fits, why, and where else to look."""
    query = search.query
    reasons = _left_out(search, values)
    if not search.for_cancer:
        reasons = [f"Our list has no trial for {query.cancer[:1].lower()}{query.cancer[1:]}."]
    lines = [
        f"I found no trial in our list that may fit ({_summary(search, values)}).",
        " ".join(reasons),
        f"Our list is small: it holds {total_in_list} trial records from ClinicalTrials.gov, "
        "and they may be out of date.",
        "To look further, search ClinicalTrials.gov, which lists trials around the world: "
        + CTGOV_SEARCH_URL.format(condition=quote(query.cancer)),
        "In France, the Institut national du cancer (INCa) lists cancer trials on e-cancer.fr.",
        fill(NEXT_STEPS, values),
    ]
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text="\n\n".join(line for line in lines if line),
        buttons=_after_buttons(False),
        source=SOURCE,
    )


def _after_buttons(more: bool) -> tuple[Button, ...]:
    buttons = [Button(title="More results", payload=MORE_RESULTS_PAYLOAD)] if more else []
    buttons += [
        topic_button("joining-a-trial", "How to join a trial"),
        topic_button(TRIAL_SEARCH_SLUG, "New search"),
    ]
    return tuple(buttons)


def stopped() -> Answer:
    """The answer when the person stops the search."""
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text=STOPPED,
        buttons=(
            topic_button("clinical-trials-basics", "What is a clinical trial?"),
            topic_button(TRIAL_SEARCH_SLUG, "Find a trial"),
        ),
    )
