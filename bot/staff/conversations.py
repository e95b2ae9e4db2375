"""Patients' conversations: how long they are kept, and a person's requests about theirs.

Conversations are health data. Rasa keeps them in its tracker store and the inbox keeps
redacted copies of the messages that went badly. `purge` deletes what is older than the
retention; `export_conversation` and `delete_conversation` answer a person who asks to
see or to erase their conversation, found by its id or by the reference the chat page
shows them ("Save or print this conversation"). Every one of them is audited with counts
and the conversation's reference, never its id or its text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.errors import Refused
from bot.kb.answers import ARTICLE_KEY
from bot.privacy import REF_CHARS, conversation_ref
from bot.staff.audit import record
from bot.staff.inbox import forget_conversation, purge_items
from bot.staff.tables import InboxSighting
from bot.staff.tracker_store import (
    conversation_events,
    delete_conversations,
    delete_idle_conversations,
    exists,
    sender_ids,
)

_REF = re.compile(rf"[0-9a-f]{{{REF_CHARS}}}")


class ConversationNotFound(Refused):
    """No conversation, or more than one, matches what was asked for."""


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted."""

    conversations: int
    events: int
    inbox_items: int


@dataclass(frozen=True)
class DeleteReport:
    """What erasing one conversation deleted."""

    ref: str
    events: int
    inbox_items: int
    inbox_shared: int  # items other people sent too: kept, counted once fewer


def purge(
    session: Session,
    tracker_store_url: str,
    retention_days: int,
    *,
    now: dt.datetime | None = None,
    actor: str | None = None,
) -> PurgeReport:
    """Delete conversations and inbox items older than the retention, and audit the counts.

    A conversation goes when its last event is older than `retention_days` (one still
    going on is kept whole); an inbox item when it was last seen before then. A SQLite
    store that Rasa has not created yet holds nothing to delete.

    Raises:
        TrackerStoreUnavailable: the store cannot be reached; nothing was deleted there.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    # The inbox first: if the knowledge-base database fails, Rasa's store is untouched.
    items = purge_items(session, cutoff)
    conversations = events = 0
    if exists(tracker_store_url):
        conversations, events = delete_idle_conversations(tracker_store_url, cutoff.timestamp())
    report = PurgeReport(conversations, events, items)
    record(
        session,
        actor,
        "conversations.purge",
        None,
        {
            "retention_days": retention_days,
            "conversations": conversations,
            "events": events,
            "inbox_items": items,
        },
    )
    return report


def find_conversation(tracker_store_url: str, key: str, wanted: str) -> str | None:
    """The conversation id `wanted` names: the id itself, or its reference.

    Returns:
        The id, or None when the store has no such conversation.

    Raises:
        ConversationNotFound: `wanted` matches more than one conversation.
        TrackerStoreUnavailable: the store cannot be read.
    """
    wanted = wanted.strip()
    if not wanted or not exists(tracker_store_url):
        return None
    as_ref = wanted.lower() if _REF.fullmatch(wanted.lower()) else None
    matches = {
        sender
        for sender in sender_ids(tracker_store_url)
        if sender == wanted or (as_ref is not None and conversation_ref(sender, key) == as_ref)
    }
    if len(matches) > 1:
        raise ConversationNotFound(
            f"{wanted!r} matches {len(matches)} conversations; give the full conversation id."
        )
    return next(iter(matches), None)


def export_conversation(
    session: Session,
    tracker_store_url: str,
    key: str,
    wanted: str,
    *,
    actor: str | None = None,
) -> dict[str, Any]:
    """One conversation as a plain document: who said what, when, and the topics answered.

    Raises:
        ConversationNotFound: no conversation (or several) matches `wanted`.
        TrackerStoreUnavailable: the store cannot be read.
    """
    sender = find_conversation(tracker_store_url, key, wanted)
    if sender is None:
        raise ConversationNotFound(_not_found(wanted))
    ref = conversation_ref(sender, key)
    messages: list[dict[str, Any]] = []
    topics: list[str] = []
    for event in conversation_events(tracker_store_url, sender):
        data = event["data"]
        at = dt.datetime.fromtimestamp(float(event["timestamp"] or 0), dt.timezone.utc)
        if event["type_name"] == "user":
            messages.append({"at": at.isoformat(), "from": "person", "text": data.get("text")})
        elif event["type_name"] == "bot":
            custom = (data.get("data") or {}).get("custom") or {}
            topic = custom.get(ARTICLE_KEY) if isinstance(custom, dict) else None
            if topic and topic not in topics:
                topics.append(str(topic))
            if data.get("text"):
                message = {"at": at.isoformat(), "from": "assistant", "text": data["text"]}
                messages.append({**message, "topic": topic} if topic else message)
            elif topic and messages and messages[-1]["from"] == "assistant":
                messages[-1].setdefault("topic", topic)  # the answer's custom JSON follows it
    record(session, actor, "conversation.export", ref, {"messages": len(messages)})
    return {
        "reference": ref,
        "exported_at": utcnow().isoformat(),
        "messages": messages,
        "topics": topics,
    }


def delete_conversation(
    session: Session,
    tracker_store_url: str,
    key: str,
    wanted: str,
    *,
    actor: str | None = None,
) -> DeleteReport:
    """Erase one conversation: its events in Rasa's store and its copies in the inbox.

    A reference whose conversation is already gone from Rasa's store (purged) still
    erases the inbox's copies.

    Raises:
        ConversationNotFound: nothing matches `wanted` (or several conversations do).
        TrackerStoreUnavailable: the store cannot be reached; nothing was deleted.
    """
    sender = find_conversation(tracker_store_url, key, wanted)
    if sender is not None:
        ref = conversation_ref(sender, key)
    elif _REF.fullmatch(wanted.strip().lower()) and _in_inbox(session, wanted.strip().lower()):
        ref = wanted.strip().lower()
    else:
        raise ConversationNotFound(_not_found(wanted))
    events = delete_conversations(tracker_store_url, [sender]) if sender is not None else 0
    items, shared = forget_conversation(session, ref)
    report = DeleteReport(ref, events, items, shared)
    record(
        session,
        actor,
        "conversation.delete",
        ref,
        {"events": events, "inbox_items": items, "inbox_shared": shared},
    )
    return report


def _in_inbox(session: Session, ref: str) -> bool:
    stmt = select(InboxSighting.id).where(InboxSighting.conversation_ref == ref).limit(1)
    return session.scalars(stmt).first() is not None


def _not_found(wanted: str) -> str:
    shown = wanted.strip()[:40] or "(empty)"
    return (
        f"No conversation matches {shown!r}. Give the conversation id, or the "
        f"{REF_CHARS}-character reference shown under 'Save or print this conversation'."
    )
