"""Staff accounts: argon2id hashes, no default password, roles, sessions, the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import (
    AccountError,
    add_user,
    authenticate,
    session_for,
    set_active,
    start_session,
)
from bot.staff.roles import can
from bot.staff.tables import AuditEvent, StaffUser
from web.ratelimit import FailureThrottle

GOOD = "a sentence as a password"


def test_passwords_are_stored_only_as_argon2id_hashes(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        add_user(session, "Nurse.Anna", "editor", GOOD)
    with session_factory() as session:
        user = session.scalars(select(StaffUser)).one()
        assert user.name == "nurse.anna"
        assert user.password_hash.startswith("$argon2id$") and GOOD not in user.password_hash
        assert authenticate(session, "NURSE.ANNA", GOOD) is user
        assert authenticate(session, "nurse.anna", GOOD.upper()) is None
        assert authenticate(session, "nobody", GOOD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("anna", "editor", "", "at least 12"),
        ("anna", "editor", "short pass", "at least 12"),
        ("anna", "editor", "x" * 300, "at most 256"),
        ("anna", "superuser", GOOD, "role must be one of"),
        ("a", "editor", GOOD, "2 to 80"),
        ("anna smith", "editor", GOOD, "letters, digits"),
        ("<script>", "editor", GOOD, "letters, digits"),
    ],
)
def test_unusable_accounts_are_refused_with_the_reason(
    session_factory: sessionmaker[Session], name: str, role: str, password: str, message: str
) -> None:
    with session_factory() as session, pytest.raises(AccountError, match=message):
        add_user(session, name, role, password)


def test_a_name_is_taken_once(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        add_user(session, "anna", "editor", GOOD)
    with session_factory() as session, pytest.raises(AccountError, match="already exists"):
        add_user(session, "ANNA", "admin", GOOD)


def test_roles_are_ordered_editor_reviewer_admin() -> None:
    assert can("admin", "reviewer") and can("reviewer", "editor") and can("editor", "editor")
    assert not can("editor", "reviewer") and not can("reviewer", "admin")
    assert not can("intruder", "editor")


def test_a_session_ends_when_it_expires_or_the_user_is_disabled(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime.now(timezone.utc)
    with session_factory.begin() as session:
        user = add_user(session, "anna", "editor", GOOD)
        session.flush()
        token = start_session(session, user, now)
    with session_factory() as session:
        assert session_for(session, token, now + timedelta(hours=1)) is not None
        assert session_for(session, token, now + timedelta(hours=11)) is None
        assert session_for(session, "not-a-token", now) is None
    with session_factory.begin() as session:
        set_active(session, session.scalars(select(StaffUser)).one(), False, actor="boss")
    with session_factory() as session:
        assert session_for(session, token, now) is None
        assert authenticate(session, "anna", GOOD) is None


def test_the_failure_throttle_locks_a_key_for_its_window() -> None:
    clock = [0.0]
    throttle = FailureThrottle(3, 60, clock=lambda: clock[0])
    for _ in range(3):
        assert throttle.blocked("user:anna") == 0
        throttle.fail("user:anna", "ip:1")
    assert throttle.blocked("user:anna") == 60 and throttle.blocked("ip:2", "ip:1") == 60
    assert throttle.blocked("user:bob") == 0
    clock[0] = 61
    assert throttle.blocked("user:anna", "ip:1") == 0


def _cli(args: list[str], url: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": url, "PATH": ""},
        check=False,
    )


def test_the_cli_adds_users_with_a_password_from_stdin_and_has_no_default(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    url = settings.database_url
    empty = _cli(["users", "add", "boss", "--role", "admin"], url, "")
    assert empty.returncode == 1 and "at least 12 characters" in empty.stderr
    added = _cli(["users", "add", "boss", "--role", "admin"], url, GOOD + "\n")
    assert added.returncode == 0, added.stderr
    assert GOOD not in added.stdout + added.stderr
    again = _cli(["users", "add", "boss", "--role", "editor"], url, GOOD + "\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    listed = _cli(["users", "list"], url, "")
    assert listed.stdout.split() == ["boss", "admin"]
    assert _cli(["users", "disable", "boss"], url, "").returncode == 0
    assert "(disabled)" in _cli(["users", "list"], url, "").stdout
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert authenticate(session, "boss", GOOD) is None  # disabled
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions == ["user.add", "user.disable"]
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 1
