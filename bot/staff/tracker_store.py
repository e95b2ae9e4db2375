"""Reading Rasa's SQL tracker store: which user messages ended badly, and why.

Rasa's `SQLTrackerStore` keeps one row per event in its `events` table. Rasa saves a
whole turn (the message, the actions and the replies) in one commit after the turn,
so every user message read here already has its replies beside it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import Refused
from bot.kb.answers import ARTICLE_KEY
from bot.kb.topics import NLU_FALLBACK_INTENT, NOT_UNDERSTOOD_SLUG, OUT_OF_SCOPE_INTENT

NOT_UNDERSTOOD = "not_understood"
OUT_OF_SCOPE = "out_of_scope"
LOW_CONFIDENCE = "low_confidence"
REASONS = {
    NOT_UNDERSTOOD: "Not understood",
    OUT_OF_SCOPE: "Out of scope",
    LOW_CONFIDENCE: "Unsure of the topic",
}
# Under config.yml's FallbackClassifier threshold the intent becomes `nlu_fallback` (not
# understood). Between that threshold and this one the assistant answered, but with a
# confidence low enough that the topic may be wrong: worth a look by staff.
LOW_CONFIDENCE_BELOW = 0.9
_BATCH = 2000


class TrackerStoreUnavailable(Refused):
    """Rasa's conversation store cannot be read; nothing was changed."""


@dataclass(frozen=True)
class BadTurn:
    """One user message that ended badly (text still raw: redact before storing)."""

    event_id: int
    text: str
    reason: str
    intent: str | None
    confidence: float | None
    at: dt.datetime


def source_name(tracker_store_url: str) -> str:
    """The cursor key of a tracker store: its URL without the password."""
    try:
        return make_url(tracker_store_url).render_as_string(hide_password=True)[:200]
    except Exception:  # noqa: BLE001 - a malformed URL is reported by `read_events`
        return tracker_store_url.split("@")[-1][:200]


def read_events(tracker_store_url: str, after_id: int) -> Iterator[dict[str, Any]]:
    """Yield the tracker store's events with an id above `after_id`, oldest first.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    try:
        url = make_url(tracker_store_url)
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            raise TrackerStoreUnavailable(
                f"Rasa's conversation store {source_name(tracker_store_url)} does not exist "
                "yet. Start the assistant (make run) or set TRACKER_STORE_URL."
            )
        engine = create_engine(url, future=True)
    except TrackerStoreUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - any bad URL is the same problem to staff
        raise TrackerStoreUnavailable(f"TRACKER_STORE_URL is not usable: {error}") from error
    query = text(
        "SELECT id, sender_id, type_name, timestamp, data FROM events "
        "WHERE id > :after ORDER BY id LIMIT :size"
    )
    try:
        with engine.connect() as connection:
            last = after_id
            while True:
                rows = connection.execute(query, {"after": last, "size": _BATCH}).all()
                for row in rows:
                    last = row.id
                    yield dict(row._mapping)
                if len(rows) < _BATCH:
                    return
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(
            f"Cannot read Rasa's conversation store {source_name(tracker_store_url)}: "
            f"{type(error).__name__}. Check that it is running and TRACKER_STORE_URL."
        ) from error
    finally:
        engine.dispose()


def bad_turns(events: Iterable[dict[str, Any]]) -> Iterator[BadTurn]:
    """Yield the user messages whose turn ended badly, in event order.

    A turn is a user event and the events of the same conversation up to the next
    user event. Button payloads ("/intent") and empty messages are skipped, and so
    are answers inside a form (the form asks its own questions).
    """
    open_turns: dict[str, dict[str, Any]] = {}
    for event in events:
        sender = event["sender_id"]
        data = _json(event["data"])
        if event["type_name"] == "user":
            if sender in open_turns:
                yield from _judge(open_turns.pop(sender))
            open_turns[sender] = {"id": event["id"], "data": data, "slugs": [], "actions": []}
        elif sender in open_turns and event["type_name"] == "bot":
            custom = (data.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get(ARTICLE_KEY):
                open_turns[sender]["slugs"].append(custom[ARTICLE_KEY])
        elif sender in open_turns and event["type_name"] == "action":
            open_turns[sender]["actions"].append(str(data.get("name") or ""))
    for turn in open_turns.values():
        yield from _judge(turn)


def _json(raw: object) -> dict[str, Any]:
    try:
        data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _judge(turn: dict[str, Any]) -> Iterator[BadTurn]:
    data = turn["data"]
    message = str(data.get("text") or "").strip()
    if not message or message.startswith("/"):
        return
    parse = data.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    confidence = (parse.get("intent") or {}).get("confidence")
    in_form = any(action.endswith("_form") for action in turn["actions"])
    if intent == OUT_OF_SCOPE_INTENT:
        reason = OUT_OF_SCOPE
    elif intent == NLU_FALLBACK_INTENT or NOT_UNDERSTOOD_SLUG in turn["slugs"]:
        reason = NOT_UNDERSTOOD
        if intent == NLU_FALLBACK_INTENT:  # the classifier's own best guess is next in line
            guess = next(
                (r for r in parse.get("intent_ranking") or [] if r.get("name") != intent), {}
            )
            intent, confidence = guess.get("name"), guess.get("confidence")
    elif confidence is not None and confidence < LOW_CONFIDENCE_BELOW and not in_form:
        reason = LOW_CONFIDENCE
    else:
        return
    timestamp = float(data.get("timestamp") or 0)
    yield BadTurn(
        turn["id"],
        message,
        reason,
        intent,
        float(confidence) if confidence is not None else None,
        dt.datetime.fromtimestamp(timestamp, dt.timezone.utc),
    )
