"""Which article answers a question, given the topics it mentions and the last answer.

Entity values arrive as the slugs their terms point to ("Kymriah" -> car-t-cells), so
"and with CAR-T?" after a side-effects answer becomes `side-effects-car-t`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.kb.topics import NOT_UNDERSTOOD_SLUG, SIDE_EFFECTS_OVERVIEW_SLUG, group_of

OVERVIEW = SIDE_EFFECTS_OVERVIEW_SLUG
# Broad articles: a message naming something more specific is better answered by that.
_BROAD = ("immunotherapy-basics", OVERVIEW)
# Therapies with a side-effects article of their own; others share the overview, which
# is about checkpoint inhibitors. Bispecific antibodies' own article covers their side
# effects (cytokine release syndrome, brain and nerves), so it answers for them.
SIDE_EFFECTS_OF: dict[str, str] = {
    "car-t-cells": "side-effects-car-t",
    "cancer-vaccines": "side-effects-vaccines",
    "bispecific-antibodies": "bispecific-antibodies",
}


def _side_effects_for(mentioned: Sequence[str]) -> str | None:
    return next((SIDE_EFFECTS_OF[s] for s in mentioned if s in SIDE_EFFECTS_OF), None)


def _most_specific(mentioned: Sequence[str]) -> str | None:
    """A named side effect first, then any other topic, broad topics last."""
    ranked = sorted(
        mentioned,
        key=lambda s: (s in _BROAD, group_of(s) != "side-effects"),
    )
    return ranked[0] if ranked else None


def refine(slug: str, mentioned: Sequence[str]) -> str:
    """Narrow a broad or not-understood question to the topic it names.

    Args:
        slug: the article the intent asks for.
        mentioned: slugs the message's terms point to, in message order.

    Returns:
        `side-effects-car-t` for "side effects of CAR-T", `side-effects-liver` for a
        general side-effects question about the liver, the named topic when the
        classifier was unsure, otherwise `slug` unchanged.
    """
    if slug == OVERVIEW:
        specific = _most_specific(mentioned)
        if specific is not None and group_of(specific) == "side-effects":
            return specific
        return _side_effects_for(mentioned) or slug
    if slug == NOT_UNDERSTOOD_SLUG:
        return _most_specific(mentioned) or slug
    return slug


def follow_up(last_slug: str | None, mentioned: Sequence[str]) -> str | None:
    """Return the article for a short follow-up ("and with CAR-T?"), or None.

    Args:
        last_slug: the article answered just before (slot `kb_article`).
        mentioned: slugs the follow-up's terms point to, in message order.

    Returns:
        The slug to answer, or None when the follow-up names nothing known.
    """
    if not mentioned:
        return None
    if last_slug is not None and group_of(last_slug) == "side-effects":
        if group_of(mentioned[0]) == "side-effects":
            return mentioned[0]
        return _side_effects_for(mentioned) or OVERVIEW
    return mentioned[0]
