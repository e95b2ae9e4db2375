"""Which article answers a question, given the topics it mentions and the last answer.

Entity values arrive as the slugs their terms point to ("Kymriah" -> car-t-cells), so
"and with CAR-T?" after a side-effects answer becomes `side-effects-car-t`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.topics import group_of

OVERVIEW = "side-effects-overview"
# Therapies with a side-effects article of their own; others share the overview.
SIDE_EFFECTS_OF: dict[str, str] = {
    "car-t-cells": "side-effects-car-t",
    "cancer-vaccines": "side-effects-vaccines",
}


def _side_effects_for(mentioned: Sequence[str]) -> str | None:
    return next((SIDE_EFFECTS_OF[s] for s in mentioned if s in SIDE_EFFECTS_OF), None)


def refine(slug: str, mentioned: Sequence[str]) -> str:
    """Narrow a general side-effects question to the therapy it names."""
    if slug == OVERVIEW:
        return _side_effects_for(mentioned) or slug
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
