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
from bot.trials.cards import TRIALS_KEY, number_words, trial_card
from bot.trials.form import AGE, CANCER_TYPE, THERAPY_KIND, TRIAL_PLACE
from bot.trials.search import ANY, COUNTRY, HOSPITAL, TrialSearch
from bot.trials.tags import KINDS

PAGE_SIZE = 3
MORE_RESULTS_PAYLOAD = "/more_trials"
STOP_PAYLOAD = "/stop"
CTGOV_SEARCH_URL = "https://clinicaltrials.gov/search?cond={condition}"
SOURCE = "ClinicalTrials.gov (US National Library of Medicine); each record's date is above"

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


def _left_out(search: TrialSearch, values: Mapping[str, str]) -> list[str]:
    query = search.query
    notes = []
    if search.excluded_by_age:
        notes.append(
            f"{_trials(search.excluded_by_age)} left out because of their age limits "
            f"(age {number_words(query.age)})."
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


def _summary(search: TrialSearch, values: Mapping[str, str]) -> str:
    query = search.query
    parts = [query.cancer, f"age {number_words(query.age)}"]
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
    cards = [
        trial_card(first + i, match, values["hospital_country"], today)
        for i, match in enumerate(shown)
    ]
    blocks = [intro, *(card.as_text() for card in cards)]
    blocks += [" ".join(_left_out(search, values))] if offset == 0 else []
    blocks.append(fill(NEXT_STEPS, values))
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text="\n\n".join(b for b in blocks if b),
        buttons=_after_buttons(last < count),
        source=SOURCE,
        extra={TRIALS_KEY: [card.as_json() for card in cards]},
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
