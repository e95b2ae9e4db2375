"""The one place where answers are rendered, from an article to chat text and buttons."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.topics import intent_for_slug

# Values that belong to the hospital are settings staff fill in; until then the
# reader sees an obvious placeholder, never an invented number.
HOSPITAL_DEFAULTS: dict[str, str] = {
    "care_team_phone": "[care-team phone number - to be set by hospital staff]",
    "care_team_hours": "[care-team opening hours - to be set by hospital staff]",
    "trials_contact": "[clinical-trials contact - to be set by hospital staff]",
    # The trial finder: "this hospital" is any trial site whose facility name contains
    # one of these comma-separated names.
    "hospital_name": "Institut Curie",
    "hospital_country": "France",
    "trial_site_names": "Institut Curie",
}

URGENT_SLUG = "urgent-symptoms"
NOT_UNDERSTOOD_SLUG = "not-understood"

# Used only when the urgent article itself cannot be read: safety must not depend
# on the database.
URGENT_FALLBACK = (
    "This could be a serious side effect. Call your care team now at {care_team_phone}. "
    "If you cannot reach them, or it feels severe, call 15 (SAMU) or 112. "
    "Say that you are on immunotherapy and name your treatment."
)
# Used when no answer can be produced at all (database or action server down).
UNAVAILABLE = (
    "Sorry, I cannot look up my answers right now. Please try again in a few minutes. "
    "To talk to your care team, call {care_team_phone} ({care_team_hours}). "
    "If you have a warning sign such as a fever of 38 °C or more, trouble breathing, "
    "chest pain or confusion, call your care team now, or 15 (SAMU) or 112."
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Button:
    """A follow-up choice; its payload asks Rasa for the intent of the topic."""

    title: str
    payload: str


@dataclass(frozen=True)
class Answer:
    """What the assistant sends for one turn."""

    slug: str
    text: str
    buttons: tuple[Button, ...] = ()
    source: str | None = None
    reviewed_on: dt.date | None = None
    urgent: bool = False

    @property
    def source_line(self) -> str | None:
        """The short line naming where the answer comes from and when it was checked."""
        if not self.source:
            return None
        reviewed = f" Reviewed {self.reviewed_on:%d %B %Y}." if self.reviewed_on else ""
        return f"Source: {self.source.strip().rstrip('.')}.{reviewed}"

    @property
    def full_text(self) -> str:
        """The answer followed by its source line, as sent to the chat."""
        return "\n\n".join(part for part in (self.text, self.source_line) if part)


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
    source: str | None = None,
    reviewed_on: dt.date | None = None,
) -> Answer:
    """Render an answer.

    Args:
        slug: the article answered (becomes slot `kb_article`).
        text: the article text with its placeholders.
        values: hospital settings for the placeholders.
        related: slug -> title of the topics offered as buttons, in order.
        source: where the text comes from.
        reviewed_on: when a person last checked it.

    Returns:
        The answer, marked urgent for the urgent-symptoms article.
    """
    return Answer(
        slug=slug,
        text=fill(text.strip(), values),
        buttons=tuple(topic_button(s, t) for s, t in related.items()),
        source=source,
        reviewed_on=reviewed_on,
        urgent=slug == URGENT_SLUG,
    )


def urgent_fallback(values: Mapping[str, str]) -> Answer:
    """The urgent answer that needs no database."""
    return Answer(slug=URGENT_SLUG, text=fill(URGENT_FALLBACK, values), urgent=True)


def unavailable(values: Mapping[str, str] = {}) -> Answer:
    """The answer when nothing can be looked up."""
    return Answer(slug=NOT_UNDERSTOOD_SLUG, text=fill(UNAVAILABLE, values))
