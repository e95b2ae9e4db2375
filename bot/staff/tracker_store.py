"""Rasa's SQL tracker store: which user messages ended badly, and erasing conversations.

Rasa's `SQLTrackerStore` keeps one row per event in its `events` table (`sender_id`,
`type_name`, `timestamp` in UNIX seconds, `data` as JSON). Rasa saves a whole turn (the
message, the actions and the replies) in one commit after the turn, so every user
message read here already has its replies beside it. The table is Rasa's: it is read
and deleted from with plain SQL, never through Rasa.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import Refused
from bot.kb.answers import ARTICLE_KEY
from bot.kb.topics import NLU_FALLBACK_INTENT, NOT_UNDERSTOOD_SLUG, OUT_OF_SCOPE_INTENT
from bot.language import as_language

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
# The conversation's language slot (`actions.domain_names.SLOT_LANGUAGE`; bot/ cannot import it).
LANGUAGE_SLOT = "language"
_BATCH = 2000
_COUNT_IDLE = text(
    "SELECT COUNT(*) FROM (SELECT sender_id FROM events GROUP BY sender_id "
    "HAVING MAX(timestamp) < :before) AS idle"
)
_DELETE_IDLE = text(
    "DELETE FROM events WHERE sender_id IN (SELECT sender_id FROM events "
    "GROUP BY sender_id HAVING MAX(timestamp) < :before)"
)


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
    sender_id: str = ""  # only to derive the conversation's reference; never stored
    language: str | None = None  # the message's language as the conversation knew it


def source_name(tracker_store_url: str) -> str:
    """The cursor key of a tracker store: its URL without the password."""
    try:
        return make_url(tracker_store_url).render_as_string(hide_password=True)[:200]
    except Exception:  # noqa: BLE001 - a malformed URL is reported by `read_events`
        return tracker_store_url.split("@")[-1][:200]


def exists(tracker_store_url: str) -> bool:
    """False only for a SQLite store whose file Rasa has not created yet."""
    try:
        url = make_url(tracker_store_url)
    except Exception:  # noqa: BLE001 - a malformed URL is reported when it is used
        return True
    return url.get_backend_name() != "sqlite" or Path(url.database or "").is_file()


@contextmanager
def _connect(tracker_store_url: str, *, write: bool = False) -> Iterator[Connection]:
    """A connection to the store (in one transaction when `write`), then the engine closed.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    if not exists(tracker_store_url):
        raise TrackerStoreUnavailable(
            f"Rasa's conversation store {source_name(tracker_store_url)} does not exist "
            "yet. Start the assistant (make run) or set TRACKER_STORE_URL."
        )
    try:
        engine = create_engine(make_url(tracker_store_url), future=True)
    except Exception as error:  # noqa: BLE001 - any bad URL is the same problem to staff
        raise TrackerStoreUnavailable(f"TRACKER_STORE_URL is not usable: {error}") from error
    try:
        with engine.begin() if write else engine.connect() as connection:
            yield connection
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(
            f"Cannot read Rasa's conversation store {source_name(tracker_store_url)}: "
            f"{type(error).__name__}. Check that it is running and TRACKER_STORE_URL."
        ) from error
    finally:
        engine.dispose()


def read_events(tracker_store_url: str, after_id: int) -> Iterator[dict[str, Any]]:
    """Yield the tracker store's events with an id above `after_id`, oldest first.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    query = text(
        "SELECT id, sender_id, type_name, timestamp, data FROM events "
        "WHERE id > :after ORDER BY id LIMIT :size"
    )
    with _connect(tracker_store_url) as connection:
        last = after_id
        while True:
            rows = connection.execute(query, {"after": last, "size": _BATCH}).all()
            for row in rows:
                last = row.id
                yield dict(row._mapping)
            if len(rows) < _BATCH:
                return


def sender_ids(tracker_store_url: str) -> list[str]:
    """Every conversation id in the store.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    with _connect(tracker_store_url) as connection:
        return list(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())


def conversation_events(tracker_store_url: str, sender_id: str) -> list[dict[str, Any]]:
    """The events of one conversation, oldest first (with their data as a dict).

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    query = text(
        "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = :sender ORDER BY id"
    )
    with _connect(tracker_store_url) as connection:
        rows = connection.execute(query, {"sender": sender_id}).all()
    return [{**row._mapping, "data": _json(row.data)} for row in rows]


def delete_conversations(tracker_store_url: str, sender_ids: Iterable[str]) -> int:
    """Delete every event of these conversations in one transaction; return how many.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    senders = list(sender_ids)
    delete = text("DELETE FROM events WHERE sender_id IN :senders").bindparams(
        bindparam("senders", expanding=True)
    )
    deleted = 0
    with _connect(tracker_store_url, write=True) as connection:
        for start in range(0, len(senders), 500):  # bound the statement's parameters
            result = connection.execute(delete, {"senders": senders[start : start + 500]})
            deleted += result.rowcount
    return deleted


def delete_idle_conversations(tracker_store_url: str, before: float) -> tuple[int, int]:
    """Delete the conversations whose last event is older than `before` (UNIX seconds).

    A conversation with any newer event is kept whole: it is still going on. One
    transaction, and the idle set is computed again by the DELETE itself, so a
    conversation that speaks up meanwhile is not cut.

    Returns:
        How many conversations and how many events were deleted.

    Raises:
        TrackerStoreUnavailable: the store is missing, unreachable or not Rasa's.
    """
    with _connect(tracker_store_url, write=True) as connection:
        if not inspect(connection).has_table("events"):
            return 0, 0  # Rasa creates it when it first starts (after the web app, in a cluster)
        count = connection.execute(_COUNT_IDLE, {"before": before}).scalar_one()
        if not count:
            return 0, 0
        result = connection.execute(_DELETE_IDLE, {"before": before})
        return int(count), result.rowcount


def bad_turns(events: Iterable[dict[str, Any]]) -> Iterator[BadTurn]:
    """Yield the user messages whose turn ended badly, in event order.

    A turn is a user event and the events of the same conversation up to the next
    user event. Button payloads ("/intent") and empty messages are skipped, and so
    are answers inside a form (the form asks its own questions).

    A message's language is the one its channel sent in the metadata, else the value
    the conversation's `language` slot had at the end of the turn (the assistant sets
    it in the first turn, when it detects the language), else None.
    """
    open_turns: dict[str, dict[str, Any]] = {}
    slot_language: dict[str, str] = {}  # each conversation's `language` slot so far
    for event in events:
        sender = event["sender_id"]
        data = _json(event["data"])
        if event["type_name"] == "slot" and data.get("name") == LANGUAGE_SLOT:
            language = as_language(data.get("value"))
            if language is not None:
                slot_language[sender] = language
                if sender in open_turns:
                    open_turns[sender]["language"] = language
        if event["type_name"] == "user":
            if sender in open_turns:
                yield from _judge(open_turns.pop(sender))
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            open_turns[sender] = {
                "id": event["id"],
                "sender": sender,
                "data": data,
                "slugs": [],
                "actions": [],
                "metadata_language": as_language(metadata.get("language")),
                "language": slot_language.get(sender),
            }
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
        str(turn["sender"]),
        turn["metadata_language"] or turn["language"],
    )
