"""The one place where answers are rendered, from an article to chat text and buttons.

Every built-in text and label is here in each language, English and French side by side,
so staff who read one can check the other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_date

from bot.kb.calls import CALLS_KEY, Call, urgent_calls
from bot.kb.hospital import HOSPITAL_DEFAULTS
from bot.kb.topics import NOT_UNDERSTOOD_SLUG, URGENT_SLUG, intent_for_slug
from bot.language import DEFAULT_LANGUAGE, LANGUAGES

# Used only when the urgent article itself cannot be read: safety must not depend
# on the database.
URGENT_FALLBACKS = {
    "en": (
        "This could be a serious side effect. Call your care team now at {care_team_phone}. "
        "If you cannot reach them, or it feels severe, call 15 (SAMU) or 112. "
        "Say that you are on immunotherapy and name your treatment."
    ),
    "fr": (
        "Cela peut être un effet secondaire grave. Appelez votre équipe soignante maintenant "
        "au {care_team_phone}. Si vous ne pouvez pas la joindre, ou si c'est grave, appelez "
        "le 15 (SAMU) ou le 112. Dites que vous êtes sous immunothérapie et donnez le nom de "
        "votre traitement."
    ),
}
URGENT_FALLBACK = URGENT_FALLBACKS[DEFAULT_LANGUAGE]
# Used when no answer can be produced at all (database or action server down).
UNAVAILABLES = {
    "en": (
        "Sorry, I cannot look up my answers right now. Please try again in a few minutes. "
        "To talk to your care team, call {care_team_phone} ({care_team_hours}). "
        "If you have a warning sign such as a fever of 38 °C or more, trouble breathing, "
        "chest pain or confusion, call your care team now, or 15 (SAMU) or 112."
    ),
    "fr": (
        "Désolé, je ne peux pas chercher mes réponses pour le moment. Réessayez dans "
        "quelques minutes. Pour parler à votre équipe soignante, appelez le "
        "{care_team_phone} ({care_team_hours}). Si vous avez un signe d'alerte, comme une "
        "fièvre de 38 °C ou plus, du mal à respirer, une douleur dans la poitrine ou de la "
        "confusion, appelez votre équipe soignante maintenant, ou le 15 (SAMU) ou le 112."
    ),
}
UNAVAILABLE = UNAVAILABLES[DEFAULT_LANGUAGE]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The wire format of an answer: the chat text ends with a paragraph that starts with
# SOURCE_PREFIX, and the custom JSON that follows the text names the article (ARTICLE_KEY).
SOURCE_PREFIXES = {"en": "Source:", "fr": "Source :"}
SOURCE_PREFIX = SOURCE_PREFIXES[DEFAULT_LANGUAGE]
ARTICLE_KEY = "kb_article"
URGENT_KEY = "urgent"
SOURCES_KEY = "sources"
LANGUAGE_KEY = "language"  # the language of the answer's text (a page sets `lang` by it)
DID_YOU_MEAN_KEY = "did_you_mean"
DID_YOU_MEAN_TEXTS = {
    "en": (
        "I am not sure which topic you mean. Is it one of these? If not, please try other words."
    ),
    "fr": (
        "Je ne suis pas sûr du sujet. Est-ce l'un de ceux-ci ? Sinon, essayez avec d'autres mots."
    ),
}
DID_YOU_MEAN = DID_YOU_MEAN_TEXTS[DEFAULT_LANGUAGE]
# The dates under an answer: when its text last changed and, if signed off, when.
LAST_UPDATED = {"en": "Last updated {day}.", "fr": "Mis à jour le {day}."}
CLINICALLY_REVIEWED = {
    "en": "Clinically reviewed on {day}.",
    "fr": "Relu par un professionnel de santé le {day}.",
}


def _in(texts: Mapping[str, str], language: str) -> str:
    """The text in `language`, else in the default language."""
    return texts.get(language) or texts[DEFAULT_LANGUAGE]


def is_source_line(paragraph: str) -> bool:
    """Whether a chat text's paragraph is its source line, in any language."""
    return paragraph.startswith(tuple(SOURCE_PREFIXES.values()))


@dataclass(frozen=True)
class Button:
    """A follow-up choice; its payload asks Rasa for the intent of the topic."""

    title: str
    payload: str


@dataclass(frozen=True)
class Source:
    """Where an answer's facts come from: a name, and the page's address when there is one."""

    name: str
    url: str | None = None


def sources_from(values: Any) -> tuple[Source, ...]:
    """Sources from an article's stored `sources` list (entries without a name are skipped)."""
    found = []
    for value in values if isinstance(values, (list, tuple)) else []:
        if isinstance(value, Source):
            found.append(value)
        elif isinstance(value, Mapping) and isinstance(value.get("name"), str):
            name = " ".join(value["name"].split())
            url = value.get("url")
            if name:
                found.append(Source(name, url.strip() if isinstance(url, str) and url else None))
    return tuple(found)


def format_day(day: dt.date, language: str = DEFAULT_LANGUAGE) -> str:
    """A date as readers write it: "7 December 2026", "7 décembre 2026"."""
    locale = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return format_date(day, "d MMMM y", locale=locale)


@dataclass(frozen=True)
class Answer:
    """What the assistant sends for one turn."""

    slug: str
    text: str
    buttons: tuple[Button, ...] = ()
    source: str | None = None  # a plain-text source for answers that are not articles
    urgent: bool = False
    offered: tuple[str, ...] = ()  # "did you mean" topics: no article is answered yet
    # Tap-to-call links (the urgent answer); the text keeps the numbers in words.
    calls: tuple[Call, ...] = ()
    # Further custom JSON a page renders richly (trial cards under "trials"); the text
    # says the same for channels that show text only.
    extra: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    updated_on: dt.date | None = None  # when the text last changed
    clinically_reviewed_on: dt.date | None = None  # set only when a reviewer signed it off
    language: str = DEFAULT_LANGUAGE  # of the text; the labels follow it

    @property
    def source_names(self) -> tuple[str, ...]:
        """The names of the sources, in order (the plain-text source alone if none)."""
        names = tuple(s.name.strip().rstrip(".;") for s in self.sources)
        return names or ((self.source.strip().rstrip("."),) if self.source else ())

    @property
    def source_line(self) -> str | None:
        """The line naming the sources, followed by the `dates_line`."""
        if not self.source_names:
            return None
        return " ".join(
            part
            for part in (
                f"{_in(SOURCE_PREFIXES, self.language)} {'; '.join(self.source_names)}.",
                self.dates_line,
            )
            if part
        )

    @property
    def dates_line(self) -> str:
        """When the text last changed and, if a reviewer signed it off, when they did.

        "Clinically reviewed" appears only for an article a reviewer signed off: a date
        that only says when the text was written must not read as a clinical check.
        """
        parts = []
        if self.updated_on:
            day = format_day(self.updated_on, self.language)
            parts.append(_in(LAST_UPDATED, self.language).format(day=day))
        if self.clinically_reviewed_on:
            day = format_day(self.clinically_reviewed_on, self.language)
            parts.append(_in(CLINICALLY_REVIEWED, self.language).format(day=day))
        return " ".join(parts)

    @property
    def full_text(self) -> str:
        """The answer followed by its source line, as sent to the chat."""
        return "\n\n".join(part for part in (self.text, self.source_line) if part)


def custom_json(answer: Answer) -> dict[str, Any]:
    """The custom JSON that travels with an answer's text.

    Which article, whether urgent, the language of the text, and, for knowledge-base
    articles, its sources (name and link), when its text last changed and, only if a
    reviewer signed it off, when.
    """
    if answer.offered:
        return {
            DID_YOU_MEAN_KEY: list(answer.offered),
            URGENT_KEY: False,
            LANGUAGE_KEY: answer.language,
        }
    custom: dict[str, Any] = {
        ARTICLE_KEY: answer.slug,
        URGENT_KEY: answer.urgent,
        LANGUAGE_KEY: answer.language,
    }
    if answer.sources:
        custom[SOURCES_KEY] = [{"name": s.name, "url": s.url} for s in answer.sources]
    elif answer.source:
        custom[SOURCES_KEY] = [{"name": answer.source, "url": None}]
    if answer.updated_on:
        custom["updated_on"] = answer.updated_on.isoformat()
    if answer.clinically_reviewed_on:
        custom["clinically_reviewed_on"] = answer.clinically_reviewed_on.isoformat()
    if answer.calls:
        custom[CALLS_KEY] = [call.as_json() for call in answer.calls]
    custom.update((key, value) for key, value in answer.extra.items() if key not in custom)
    return custom


def to_message(answer: Answer) -> dict[str, Any]:
    """The answer as one bot message: text with its source line, buttons and custom JSON.

    The actions send it through Rasa's dispatcher; the staff preview shapes it as the
    chat page does. Both read the same wire format from here.
    """
    return {
        "text": answer.full_text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in answer.buttons],
        "custom": custom_json(answer),
    }


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace `{placeholders}` with hospital values; unknown braces are left alone."""
    merged = {**HOSPITAL_DEFAULTS, **values}
    return _PLACEHOLDER.sub(lambda m: merged.get(m.group(1), m.group(0)), text)


def topic_button(slug: str, title: str) -> Button:
    """Return the button that asks for `slug`."""
    return Button(title=title, payload="/" + intent_for_slug(slug))


def render(
    slug: str,
    text: str,
    *,
    values: Mapping[str, str],
    related: Mapping[str, str] = {},
    sources: Any = (),
    updated_on: dt.date | None = None,
    signed_off_on: dt.date | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> Answer:
    """Render an answer.

    Args:
        slug: the article answered (becomes slot `kb_article`).
        text: the article text with its placeholders.
        values: hospital settings for the placeholders.
        related: slug -> title of the topics offered as buttons, in order.
        sources: where the text comes from: `Source`s, or the article's stored list.
        updated_on: when its text last changed.
        signed_off_on: when a reviewer signed the current text off, if one has.
        language: the language of `text` (and of `related`'s titles): its labels and
            dates are written in it.

    Returns:
        The answer, marked urgent and with its calls for the urgent-symptoms article.
    """
    urgent = slug == URGENT_SLUG
    return Answer(
        slug=slug,
        text=fill(text.strip(), values),
        buttons=tuple(topic_button(s, t) for s, t in related.items()),
        sources=sources_from(sources),
        updated_on=updated_on,
        clinically_reviewed_on=signed_off_on,
        urgent=urgent,
        calls=urgent_calls(values, language=language) if urgent else (),
        language=language,
    )


def did_you_mean(titles: Mapping[str, str], *, language: str = DEFAULT_LANGUAGE) -> Answer:
    """Ask which of these topics (slug -> title, best first) the reader means."""
    return Answer(
        slug=NOT_UNDERSTOOD_SLUG,
        text=_in(DID_YOU_MEAN_TEXTS, language),
        buttons=tuple(topic_button(s, t) for s, t in titles.items()),
        offered=tuple(titles),
        language=language,
    )


def urgent_fallback(values: Mapping[str, str], *, language: str = DEFAULT_LANGUAGE) -> Answer:
    """The urgent answer that needs no database."""
    return Answer(
        slug=URGENT_SLUG,
        text=fill(_in(URGENT_FALLBACKS, language), values),
        urgent=True,
        calls=urgent_calls(values, language=language),
        language=language,
    )


def unavailable(values: Mapping[str, str] = {}, *, language: str = DEFAULT_LANGUAGE) -> Answer:
    """The answer when nothing can be looked up."""
    return Answer(
        slug=NOT_UNDERSTOOD_SLUG,
        text=fill(_in(UNAVAILABLES, language), values),
        language=language,
    )
