"""Database tables of the staff workspace: accounts, sign-ins, audit, revisions, inbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from bot.db import Base, utcnow
from bot.language import DEFAULT_LANGUAGE


class StaffUser(Base):
    """A member of staff: an editor drafts, a reviewer publishes, an admin runs the rest.

    Only an argon2 hash of the password is kept.
    """

    __tablename__ = "staff_user"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True, index=True)
    role = Column(String(20), nullable=False)
    password_hash = Column(Text, nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = Column(DateTime(timezone=True), nullable=True)
    # An admin's unlock: failed sign-ins before this time no longer slow this name.
    sign_in_unlocked_at = Column(DateTime(timezone=True), nullable=True)

    def __repr__(self) -> str:
        return f"StaffUser(name={self.name!r}, role={self.role!r})"


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "staff_session"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    # Idle timeout: the session ends `idle_minutes` after the last request it served.
    last_seen_at = Column(DateTime(timezone=True), nullable=True)  # None: since created_at
    idle_minutes = Column(Integer, nullable=True)  # None: the default (30)


class AuditEvent(Base):
    """One staff action: who did what to which thing, and when."""

    __tablename__ = "audit_event"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    actor = Column(String(80), nullable=True)  # None: the system or the command line
    action = Column(String(60), nullable=False)
    target = Column(String(200), nullable=True)
    detail = Column(JSON, nullable=False, default=dict)


class ArticleRevision(Base):
    """One version of an article's content, with who wrote it, when and why.

    `fields` is the article as in `data/kb/` files (`updated_on` as YYYY-MM-DD).
    States: draft -> submitted -> published (or rejected); older published revisions
    stay as history.
    """

    __tablename__ = "article_revision"
    __table_args__ = (UniqueConstraint("slug", "number"),)

    id = Column(Integer, primary_key=True)
    slug = Column(String(80), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    fields = Column(JSON, nullable=False)
    state = Column(String(20), nullable=False)
    author = Column(String(80), nullable=False)
    reason = Column(Text, nullable=False, default="")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    based_on = Column(Integer, nullable=True)  # the revision number this one was edited from
    decided_by = Column(String(80), nullable=True)
    decided_at = Column(DateTime(timezone=True), nullable=True)
    # Which language version this revises. Numbers are shared by a slug's versions, so a
    # number alone names one revision; each version's history is its own revisions.
    language = Column(String(2), nullable=False, default=DEFAULT_LANGUAGE)


class InboxItem(Base):
    """A patient message the assistant did not answer well, redacted before storing."""

    __tablename__ = "inbox_item"

    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    group_key = Column(String(200), nullable=False, index=True)
    reason = Column(String(30), nullable=False)  # not_understood, out_of_scope, low_confidence
    intent = Column(String(80), nullable=True)
    confidence = Column(Float, nullable=True)
    count = Column(Integer, nullable=False, default=1)
    first_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    status = Column(String(20), nullable=False, default="open", index=True)
    resolution = Column(String(200), nullable=True)  # the intent or article it was given
    resolved_by = Column(String(80), nullable=True)
    resolved_at = Column(DateTime(timezone=True), nullable=True)
    # The message's language ("en", "fr"); None: not known (shown as "?").
    language = Column(String(8), nullable=True, index=True)


class InboxCursor(Base):
    """How far the inbox has read a tracker store (the last event id seen)."""

    __tablename__ = "inbox_cursor"

    source = Column(String(200), primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)


class InboxSighting(Base):
    """One conversation sent an inbox item's message: so a person's erasure reaches the inbox.

    Only the conversation's keyed reference (`bot.privacy.conversation_ref`) is kept,
    never its id; sightings go with their item, or with the conversation when a person
    asks for it to be deleted.
    """

    __tablename__ = "inbox_sighting"

    id = Column(Integer, primary_key=True)
    item_id = Column(
        Integer, ForeignKey("inbox_item.id", ondelete="CASCADE"), nullable=False, index=True
    )
    conversation_ref = Column(String(12), nullable=False, index=True)
    seen_at = Column(DateTime(timezone=True), nullable=False)
