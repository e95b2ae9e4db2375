"""Render the trial finder's questions and results as chat answers (see `bot.kb.answers`).

The words are plain: a phase or a status is said in everyday language, each record's
age is given, and every result ends with the next steps. Nothing here promises that a
person can join a trial. Every text is here in English and French side by side; button
payloads are the same in both languages (the form reads either).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from bot.kb.answers import Answer, Button, fill, topic_button
from bot.kb.topics import TRIAL_SEARCH_SLUG
from bot.language import DEFAULT_LANGUAGE
from bot.trials.cancer_types import display_name, label
from bot.trials.cards import TRIALS_KEY, number_words, trial_card
from bot.trials.countries import in_country
from bot.trials.form import AGE, CANCER_TYPE, THERAPY_KIND, TRIAL_PLACE
from bot.trials.search import ANY, COUNTRY, HOSPITAL, TrialSearch
from bot.trials.tags import KINDS, kind_label

PAGE_SIZE = 3
MORE_RESULTS_PAYLOAD = "/more_trials"
STOP_PAYLOAD = "/stop"
CTGOV_SEARCH_URL = "https://clinicaltrials.gov/search?cond={condition}"
SOURCES = {
    "en": "ClinicalTrials.gov (US National Library of Medicine); each record's date is above",
    "fr": (
        "ClinicalTrials.gov (Bibliothèque nationale de médecine des États-Unis) ; "
        "la date de chaque fiche est indiquée plus haut"
    ),
}
SOURCE = SOURCES[DEFAULT_LANGUAGE]

NEXT_STEPS_TEXTS = {
    "en": (
        "A match does not mean that you can join. Each trial has many rules, and only the "
        "trial team can decide who can join. Talk to your cancer doctor (oncologist) about "
        "these trials. They can tell you if one may suit you. To learn the steps, choose "
        '"How to join a trial". For questions about trials, contact {trials_contact}. '
        "Your care team: {care_team_phone}."
    ),
    "fr": (
        "Un résultat ne veut pas dire que vous pouvez participer. Chaque essai a beaucoup "
        "de règles. Seule l'équipe de l'essai peut décider qui peut y participer. Parlez de "
        "ces essais à votre cancérologue (oncologue). Ce médecin peut vous dire si l'un "
        "d'eux peut vous convenir. Pour connaître les étapes, choisissez « Entrer dans un "
        "essai clinique ». Pour vos questions sur les essais, contactez {trials_contact}. Votre "
        "équipe soignante : {care_team_phone}."
    ),
}
NEXT_STEPS = NEXT_STEPS_TEXTS[DEFAULT_LANGUAGE]
QUESTION_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        CANCER_TYPE: "What type of cancer is it? Pick one below, or type it in your own words.",
        AGE: (
            "How old is the person who would join the trial? Please type the age in years, "
            "for example 60. Trials have age limits."
        ),
        THERAPY_KIND: 'Do you want a certain kind of immunotherapy? Pick one, or say "any".',
        TRIAL_PLACE: 'Where should the trial take place? Pick one, or say "anywhere".',
    },
    "fr": {
        CANCER_TYPE: (
            "De quel type de cancer s'agit-il ? Choisissez ci-dessous, ou écrivez-le avec vos mots."
        ),
        AGE: (
            "Quel âge a la personne qui participerait à l'essai ? Écrivez l'âge en années, "
            "par exemple 60. Les essais ont des limites d'âge."
        ),
        THERAPY_KIND: (
            "Voulez-vous un type de traitement précis ? Choisissez-en un, ou dites « peu importe »."
        ),
        TRIAL_PLACE: "Où doit avoir lieu l'essai ? Choisissez, ou dites « n'importe où ».",
    },
}
QUESTIONS = QUESTION_TEXTS[DEFAULT_LANGUAGE]
NEEDED_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        CANCER_TYPE: (
            "I need the type of cancer, because each trial is for certain cancers. If you are "
            'not sure, your care team can tell you. You can also say "stop".'
        ),
        AGE: (
            "I need the age, because trials have age limits. Please type it as a number, "
            'for example 60. You can also say "stop".'
        ),
    },
    "fr": {
        CANCER_TYPE: (
            "J'ai besoin du type de cancer, car chaque essai est pour certains cancers. Si "
            "vous n'êtes pas sûr, votre équipe soignante peut vous le dire. Vous pouvez aussi "
            "dire « stop »."
        ),
        AGE: (
            "J'ai besoin de l'âge, car les essais ont des limites d'âge. Écrivez-le en "
            "chiffres, par exemple 60. Vous pouvez aussi dire « stop »."
        ),
    },
}
NEEDED = NEEDED_TEXTS[DEFAULT_LANGUAGE]
BAD_AGES = {
    "en": "Please type the age in years, as a number from 0 to 120, for example 60.",
    "fr": "Écrivez l'âge en années, avec un nombre de 0 à 120, par exemple 60.",
}
BAD_AGE = BAD_AGES[DEFAULT_LANGUAGE]
STOPPED_TEXTS = {
    "en": "OK, I stopped the trial search. You can ask me another question at any time.",
    "fr": (
        "D'accord, j'ai arrêté la recherche d'essais. Vous pouvez me poser une autre "
        "question à tout moment."
    ),
}
STOPPED = STOPPED_TEXTS[DEFAULT_LANGUAGE]
CHANGED_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        CANCER_TYPE: "OK, I changed the type of cancer to {value}.",
        AGE: "OK, I changed the age to {value}.",
    },
    "fr": {
        CANCER_TYPE: "D'accord, j'ai changé le type de cancer : {value}.",
        AGE: "D'accord, j'ai changé l'âge : {value} ans.",
    },
}
# The rest of the finder's words. A count's words come as (one, many).
_WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "any_kind": "Any kind",
        "at_hospital": "At {hospital}",
        "anywhere": "Anywhere",
        "stop": "Stop the search",
        "more": "More results",
        "join": "How to join a trial",
        "new_search": "New search",
        "what_is_a_trial": "What is a clinical trial?",
        "find_a_trial": "Find a trial",
        "age": "age {age}",
        "here": "at {hospital}",
        "left_age": (
            "1 trial was left out because of their age limits (age {age}).",
            "{count} trials were left out because of their age limits (age {age}).",
        ),
        "left_sex": (
            "1 trial was left out: they are for men or women only.",
            "{count} trials were left out: they are for men or women only.",
        ),
        "left_kind": (
            "1 trial was left out: they do not test a {kind}.",
            "{count} trials were left out: they do not test a {kind}.",
        ),
        "left_place": (
            "1 trial was left out: they have no site {where}.",
            "{count} trials were left out: they have no site {where}.",
        ),
        "left_closed": (
            "1 trial was closed to new people, so not shown.",
            "{count} trials were closed to new people, so not shown.",
        ),
        "no_more": "There are no more trials for this search.",
        "found": (
            "I found 1 trial in our list that may fit ({summary}). Here it is.",
            "I found {count} trials in our list that may fit ({summary}). "
            "Here are {first} to {last}, best first.",
        ),
        "found_none": "I found no trial in our list that may fit ({summary}).",
        "no_trial_for": "Our list has no trial for {cancer}.",
        "small_list": (
            "Our list is small: it holds {total} trial records from ClinicalTrials.gov, "
            "and they may be out of date."
        ),
        "look_further": (
            "To look further, search ClinicalTrials.gov, which lists trials around the world: "
        ),
        "inca": "In France, the Institut national du cancer (INCa) lists cancer trials on "
        "e-cancer.fr.",
        "records_in_english": "",
    },
    "fr": {
        "any_kind": "Peu importe",
        "at_hospital": "Ici ({hospital})",
        "anywhere": "N'importe où",
        "stop": "Arrêter la recherche",
        "more": "Plus de résultats",
        "join": "Entrer dans un essai clinique",
        "new_search": "Nouvelle recherche",
        "what_is_a_trial": "Qu'est-ce qu'un essai clinique ?",
        "find_a_trial": "Trouver un essai clinique",
        "age": "{age} ans",
        "here": "ici ({hospital})",
        "left_age": (
            "1 essai n'est pas montré à cause de ses limites d'âge (âge : {age} ans).",
            "{count} essais ne sont pas montrés à cause de leurs limites d'âge (âge : {age} ans).",
        ),
        "left_sex": (
            "1 essai n'est pas montré : il est réservé aux hommes ou aux femmes.",
            "{count} essais ne sont pas montrés : ils sont réservés aux hommes ou aux femmes.",
        ),
        "left_kind": (
            "1 essai n'est pas montré : il ne teste pas ce type de traitement ({kind}).",
            "{count} essais ne sont pas montrés : ils ne testent pas ce type de traitement "
            "({kind}).",
        ),
        "left_place": (
            "1 essai n'est pas montré : il n'a pas de centre {where}.",
            "{count} essais ne sont pas montrés : ils n'ont pas de centre {where}.",
        ),
        "left_closed": (
            "1 essai n'accepte plus de nouvelles personnes : il n'est pas montré.",
            "{count} essais n'acceptent plus de nouvelles personnes : ils ne sont pas montrés.",
        ),
        "no_more": "Il n'y a plus d'autres essais pour cette recherche.",
        "found": (
            "J'ai trouvé 1 essai dans notre liste qui peut convenir ({summary}). Le voici.",
            "J'ai trouvé {count} essais dans notre liste qui peuvent convenir ({summary}). "
            "Voici les essais {first} à {last}, les meilleurs d'abord.",
        ),
        "found_none": "Je n'ai trouvé aucun essai dans notre liste qui peut convenir ({summary}).",
        "no_trial_for": "Notre liste n'a aucun essai pour ce cancer ({cancer}).",
        "small_list": (
            "Notre liste est petite : elle contient {total} fiches d'essais de "
            "ClinicalTrials.gov, et elles ne sont peut-être plus à jour."
        ),
        "look_further": (
            "Pour chercher plus loin, consultez ClinicalTrials.gov (en anglais), qui liste "
            "des essais du monde entier : "
        ),
        # As the French trial-search article says it, from its INCa source.
        "inca": "En France, le « Registre des essais cliniques en cancérologie » de "
        "l'Institut national du cancer (INCa) liste les essais sur le cancer, en français.",
        "records_in_english": (
            "Les fiches des essais sont en anglais, comme sur ClinicalTrials.gov."
        ),
    },
}


def _in(texts: Mapping[str, Any], language: str) -> Any:
    """The entry for `language`, else the default language's."""
    return texts.get(language) or texts[DEFAULT_LANGUAGE]


def _word(key: str, language: str) -> Any:
    return _in(_WORDS, language)[key]


def _count(key: str, count: int, language: str, **values: Any) -> str:
    """The sentence `key` for `count` things (its "one" or "many" form)."""
    one, many = _word(key, language)
    return (one if count == 1 else many).format(count=count, **values)


def needed(slot: str, *, language: str = DEFAULT_LANGUAGE) -> str:
    """Why the answer to `slot` is needed (the cancer type, the age)."""
    return str(_in(NEEDED_TEXTS, language)[slot])


def bad_age(*, language: str = DEFAULT_LANGUAGE) -> str:
    """What to type when the age is not one."""
    return str(_in(BAD_AGES, language))


def changed(slot: str, value: Any, *, language: str = DEFAULT_LANGUAGE) -> str:
    """Confirm that an answer corrected an earlier one ("OK, I changed the age to 58.")."""
    if isinstance(value, float):
        shown = number_words(value, language=language)
    else:
        shown = display_name(str(value), language=language)
    return str(_in(CHANGED_TEXTS, language)[slot]).format(value=shown)


def question(
    slot: str,
    values: Mapping[str, str],
    *,
    cancer_keys: Sequence[str] = (),
    language: str = DEFAULT_LANGUAGE,
) -> Answer:
    """The question for `slot`, with buttons where they help, and one to stop.

    A button's title is in `language`; its payload is the English answer, which the
    form reads in every language.
    """
    text = _in(QUESTION_TEXTS, language)[slot]
    buttons: tuple[Button, ...] = ()
    if slot == CANCER_TYPE:
        buttons = tuple(
            Button(title=label(key, language=language), payload=label(key))
            for key in cancer_keys[:6]
        )
    elif slot == THERAPY_KIND:
        kinds = [
            Button(title=kind_label(kind, language=language), payload=kind_label(kind))
            for kind in KINDS
        ]
        buttons = (*kinds, Button(title=_word("any_kind", language), payload="any kind"))
    elif slot == TRIAL_PLACE:
        country = values["hospital_country"]
        buttons = (
            Button(
                title=_word("at_hospital", language).format(hospital=values["hospital_name"]),
                payload="at this hospital",
            ),
            Button(
                title=_in_country(country, language, title=True),
                payload=country,
            ),
            Button(title=_word("anywhere", language), payload="anywhere"),
        )
    # A sure way out, whatever the NLU makes of "stop" in the person's words.
    buttons = (*buttons, Button(title=_word("stop", language), payload=STOP_PAYLOAD))
    return Answer(
        slug=TRIAL_SEARCH_SLUG, text=fill(text, values), buttons=buttons, language=language
    )


def _lowered(name: str) -> str:
    """A name inside a sentence: "checkpoint inhibitor", but "CAR-T" keeps its capitals."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def _in_country(country: str, language: str, *, title: bool = False) -> str:
    """The hospital's country as "in France" / "en France"; capitalised for a button."""
    words = in_country(country, language=language)
    return words[:1].upper() + words[1:] if title else words


def _where(search: TrialSearch, values: Mapping[str, str], language: str) -> str:
    if search.query.place == HOSPITAL:
        return str(_word("here", language)).format(hospital=values["hospital_name"])
    return _in_country(values["hospital_country"], language)


def _left_out(search: TrialSearch, values: Mapping[str, str], language: str) -> list[str]:
    query = search.query
    notes = []
    if search.excluded_by_age:
        age = number_words(query.age, language=language)
        notes.append(_count("left_age", search.excluded_by_age, language, age=age))
    if search.excluded_by_sex:
        notes.append(_count("left_sex", search.excluded_by_sex, language))
    if search.other_kind:
        kind = _lowered(kind_label(query.kind, language=language))
        notes.append(_count("left_kind", search.other_kind, language, kind=kind))
    if search.elsewhere:
        where = _where(search, values, language)
        notes.append(_count("left_place", search.elsewhere, language, where=where))
    if search.closed:
        notes.append(_count("left_closed", search.closed, language))
    return notes


def _summary(search: TrialSearch, values: Mapping[str, str], language: str) -> str:
    query = search.query
    age = _word("age", language).format(age=number_words(query.age, language=language))
    parts = [display_name(query.cancer, language=language), age]
    if query.kind != ANY:
        parts.append(_lowered(kind_label(query.kind, language=language)))
    if query.place in (HOSPITAL, COUNTRY):
        parts.append(_where(search, values, language))
    return ", ".join(parts)


def results(
    search: TrialSearch,
    values: Mapping[str, str],
    *,
    offset: int,
    total_in_list: int,
    today: dt.date,
    language: str = DEFAULT_LANGUAGE,
) -> Answer:
    """The trials from `offset` (at most `PAGE_SIZE`), what was left out, the next steps."""
    if not search.matches:
        return no_match(search, values, total_in_list=total_in_list, language=language)
    next_steps = fill(_in(NEXT_STEPS_TEXTS, language), values)
    shown = search.matches[offset : offset + PAGE_SIZE]
    if not shown:
        text = f"{_word('no_more', language)} {next_steps}"
        buttons = _after_buttons(False, language)
        return Answer(slug=TRIAL_SEARCH_SLUG, text=text, buttons=buttons, language=language)
    first, last, count = offset + 1, offset + len(shown), len(search.matches)
    summary = _summary(search, values, language)
    intro = _count("found", count, language, summary=summary, first=first, last=last)
    intro = " ".join(part for part in (intro, _word("records_in_english", language)) if part)
    cards = [
        trial_card(first + i, match, values["hospital_country"], today, language=language)
        for i, match in enumerate(shown)
    ]
    blocks = [intro, *(card.as_text() for card in cards)]
    blocks += [" ".join(_left_out(search, values, language))] if offset == 0 else []
    blocks.append(next_steps)
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text="\n\n".join(b for b in blocks if b),
        buttons=_after_buttons(last < count, language),
        source=_in(SOURCES, language),
        extra={TRIALS_KEY: [card.as_json() for card in cards]},
        language=language,
    )


def no_match(
    search: TrialSearch,
    values: Mapping[str, str],
    *,
    total_in_list: int,
    language: str = DEFAULT_LANGUAGE,
) -> Answer:
    """Say plainly that nothing fits, why, and where else to look."""
    query = search.query
    reasons = _left_out(search, values, language)
    if not search.for_cancer:
        cancer = display_name(query.cancer, language=language)
        if language == DEFAULT_LANGUAGE:  # "no trial for lymphoma"; French says it apart
            cancer = _lowered(cancer)
        reasons = [_word("no_trial_for", language).format(cancer=cancer)]
    lines = [
        _word("found_none", language).format(summary=_summary(search, values, language)),
        " ".join(reasons),
        _word("small_list", language).format(total=total_in_list),
        # The English name searches ClinicalTrials.gov best; the person's words otherwise.
        _word("look_further", language) + CTGOV_SEARCH_URL.format(condition=quote(query.cancer)),
        _word("inca", language),
        fill(_in(NEXT_STEPS_TEXTS, language), values),
    ]
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text="\n\n".join(line for line in lines if line),
        buttons=_after_buttons(False, language),
        source=_in(SOURCES, language),
        language=language,
    )


def _after_buttons(more: bool, language: str) -> tuple[Button, ...]:
    more_button = Button(title=_word("more", language), payload=MORE_RESULTS_PAYLOAD)
    buttons = [more_button] if more else []
    buttons += [
        topic_button("joining-a-trial", _word("join", language)),
        topic_button(TRIAL_SEARCH_SLUG, _word("new_search", language)),
    ]
    return tuple(buttons)


def stopped(*, language: str = DEFAULT_LANGUAGE) -> Answer:
    """The answer when the person stops the search."""
    return Answer(
        slug=TRIAL_SEARCH_SLUG,
        text=_in(STOPPED_TEXTS, language),
        buttons=(
            topic_button("clinical-trials-basics", _word("what_is_a_trial", language)),
            topic_button(TRIAL_SEARCH_SLUG, _word("find_a_trial", language)),
        ),
        language=language,
    )
