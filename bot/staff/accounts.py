"""Staff accounts: argon2id password hashes, roles, and signed-in sessions.

No default account or password exists: the first admin is created on the command
line (`python -m bot users add NAME --role admin`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import as_utc, utcnow
from bot.errors import Refused
from bot.staff.audit import UNKNOWN_NAME, WEB_VISITOR, record
from bot.staff.password_policy import MAX_PASSWORD_CHARS, password_problem
from bot.staff.roles import ROLES
from bot.staff.tables import StaffSession, StaffUser

SESSION_LIFETIME = timedelta(hours=10)  # one working shift, however active
IDLE_TIMEOUT = timedelta(minutes=30)  # the default; STAFF_IDLE_MINUTES sets it
SEEN_EVERY = timedelta(minutes=1)  # write `last_seen_at` at most this often, not per request
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# Verifying against this keeps a wrong name as slow as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(Refused):
    """A name, role or password that cannot be used; the message says why."""


def check_name(name: str) -> str:
    """Return the user name in lowercase, or raise AccountError."""
    name = name.strip().lower()
    if not 2 <= len(name) <= 80 or not set(name) <= _NAME_CHARS:
        raise AccountError("A user name is 2 to 80 letters, digits, dots, dashes or underscores.")
    return name


def check_password(password: str, name: str) -> None:
    """Raise AccountError unless `password` is a good one for the user `name`."""
    problem = password_problem(password, name)
    if problem is not None:
        raise AccountError(problem)


def add_user(
    session: Session, name: str, role: str, password: str, *, actor: str | None = None
) -> StaffUser:
    """Create a staff user.

    Raises:
        AccountError: the name is taken or invalid, the role unknown, the password weak.
    """
    name = check_name(name)
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    check_password(password, name)
    if find_user(session, name) is not None:
        raise AccountError(f"A user named {name!r} already exists.")
    user = StaffUser(name=name, role=role, password_hash=_hasher.hash(password), active=True)
    session.add(user)
    record(session, actor, "user.add", name, {"role": role})
    return user


def find_user(session: Session, name: str) -> StaffUser | None:
    """Return the user called `name` (any case), or None."""
    return session.scalars(select(StaffUser).where(StaffUser.name == name.strip().lower())).first()


def list_users(session: Session) -> list[StaffUser]:
    """Every user, by name."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.name)))


def set_password(session: Session, user: StaffUser, password: str, *, actor: str | None) -> None:
    """Replace `user`'s password and sign them out everywhere."""
    check_password(password, user.name)
    user.password_hash = _hasher.hash(password)
    end_sessions(session, user)
    record(session, actor, "user.password", user.name)


def set_role(session: Session, user: StaffUser, role: str, *, actor: str | None) -> None:
    """Change `user`'s role."""
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    record(session, actor, "user.role", user.name, {"from": user.role, "to": role})
    user.role = role


def set_active(session: Session, user: StaffUser, active: bool, *, actor: str | None) -> None:
    """Enable or disable `user`; disabling also signs them out."""
    user.active = active
    if not active:
        end_sessions(session, user)
    record(session, actor, "user.enable" if active else "user.disable", user.name)


def unlock_sign_in(session: Session, user: StaffUser, *, actor: str | None) -> None:
    """Let `user` sign in at once: their earlier failed attempts no longer slow them.

    The time is stored (not the throttle's memory cleared) so every web process and
    the command line agree.
    """
    user.sign_in_unlocked_at = utcnow()
    record(session, actor, "user.unlock", user.name)


def sign_in_unlocked_at(session: Session, name: str) -> datetime | None:
    """When an admin last unlocked `name`'s sign-in (UTC), or None."""
    user = find_user(session, name)
    unlocked = user.sign_in_unlocked_at if user is not None else None
    return as_utc(unlocked) if unlocked is not None else None


def record_failed_sign_in(session: Session, name: str, client: str) -> None:
    """Audit a failed web sign-in, keeping the name typed only if it is an account's.

    Anything else typed in the name box (a password, by mistake) is never stored.
    """
    target = name if name and find_user(session, name) is not None else UNKNOWN_NAME
    record(session, WEB_VISITOR, "login.fail", target, {"client": client})


def authenticate(session: Session, name: str, password: str) -> StaffUser | None:
    """Return the active user whose password this is, or None (same cost either way)."""
    user = find_user(session, name) if len(password) <= MAX_PASSWORD_CHARS else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password[:MAX_PASSWORD_CHARS])
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session,
    user: StaffUser,
    now: datetime | None = None,
    *,
    idle: timedelta = IDLE_TIMEOUT,
) -> str:
    """Sign `user` in; return the cookie token (only its hash is stored).

    Args:
        session: the database session (committed by the caller).
        user: who signs in.
        now: the time of sign-in; default now.
        idle: how long the session lasts without a request (kept on the session,
            like its absolute end, so the pages that check it need no settings).
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
            last_seen_at=now,
            idle_minutes=max(1, round(idle.total_seconds() / 60)),
        )
    )
    user.last_login_at = now
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    return token


def session_for(
    session: Session, token: str, now: datetime | None = None
) -> tuple[StaffSession, StaffUser] | None:
    """Return the live session and its active user for a cookie token, or None.

    A session ends 10 hours after sign-in, or sooner after `idle_minutes` without a
    request. Each use moves `last_seen_at`, at most once a minute; that write is
    committed here, as pages check the session with a read-only session.
    """
    now = now or utcnow()
    row = session.get(StaffSession, _digest(token)) if token else None
    if row is None or as_utc(row.expires_at) <= now:
        return None
    last_seen = as_utc(row.last_seen_at or row.created_at)
    idle = timedelta(minutes=row.idle_minutes) if row.idle_minutes else IDLE_TIMEOUT
    if now - last_seen >= idle:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    if now - last_seen >= SEEN_EVERY:
        row.last_seen_at = now
        session.commit()
    return row, user


def end_session(session: Session, token: str) -> None:
    """Sign one browser out."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def end_sessions(session: Session, user: StaffUser) -> None:
    """Sign `user` out of every browser."""
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
