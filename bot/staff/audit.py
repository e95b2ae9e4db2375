"""The audit log: every staff action, written in the same transaction as the action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.staff.tables import AuditEvent

# Actors that are not staff members (names cannot hold spaces or brackets).
WEB_VISITOR = "anonymous (web)"  # someone on the sign-in page, not signed in
UNKNOWN_NAME = "unknown name"  # stored instead of a user name that matches no account


def record(
    session: Session,
    actor: str | None,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to `session` (committed with the change it describes).

    Args:
        session: the session of the change itself, so both land or neither does.
        actor: the staff member's name; WEB_VISITOR for someone not signed in on the
            web; None for the command line run by an operator.
        action: what happened, as `noun.verb` (`article.publish`, `user.add`).
        target: what it happened to (a slug, a user name, a model run).
        detail: small facts worth keeping, never a password. A taught example's text is
            kept: it is a patient's message, already redacted before the inbox stored it.
    """
    event = AuditEvent(actor=actor, action=action, target=target, detail=dict(detail or {}))
    session.add(event)
    return event


def recent_events(
    session: Session, *, limit: int = 200, actor: str | None = None, action: str | None = None
) -> list[AuditEvent]:
    """Return the newest events first, optionally only one actor's or one action's.

    `action` is a prefix taken literally: `%` and `_` match only themselves.
    """
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    return list(session.scalars(stmt))
