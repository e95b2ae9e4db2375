"""A real tracker store for tests, written by Rasa 3.6's own SQLTrackerStore."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SADeprecationWarning

# Rasa 3.6's tracker store is written in legacy SQLAlchemy: its warnings are not ours
# (`make test` turns SQLAlchemy 2.0 warnings into errors for our code). Test modules that
# write a store also add `pytest.mark.filterwarnings("ignore::...SADeprecationWarning")`.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SADeprecationWarning)
    from rasa.core.tracker_store import SQLTrackerStore


def turn(
    message: str,
    intent: str,
    confidence: float,
    *,
    slug: str | None = None,
    ranking: list[tuple[str, float]] = (),
    actions: tuple[str, ...] = ("action_answer_topic",),
    at: float | None = None,
    metadata: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
) -> list[Any]:
    """The events Rasa records for one user message and the assistant's answer.

    Args:
        at: the events' time (UNIX seconds); now when None.
        metadata: what the channel sent with the message (`{"language": "fr"}`).
        slots: slots the answer's action sets (after the action, as Rasa records them).
    """
    parse = {
        "text": message,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]
        or [{"name": intent, "confidence": confidence}],
        "entities": [],
    }
    events: list[Any] = [
        UserUttered(message, parse["intent"], [], parse_data=parse, metadata=metadata)
    ]
    for action in actions:
        events.append(ActionExecuted(action))
    events += [SlotSet(name, value) for name, value in (slots or {}).items()]
    events.append(BotUttered("An answer.", data={"custom": {"kb_article": slug or "x"}}))
    events.append(ActionExecuted("action_listen"))
    if at is not None:
        for event in events:
            event.timestamp = at
    return events


def write_conversation(path: Path, sender: str, *turns: list[Any]) -> None:
    """Save a conversation with Rasa's own tracker store (appends to what is there)."""
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, [])
    for events in turns:
        for event in events:
            tracker.update(event)
    asyncio.run(store.save(tracker))
    store.engine.dispose()
