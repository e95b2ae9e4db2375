"""Staff accounts: argon2id hashes, no default password, roles, sessions, the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import as_utc, make_engine, make_session_factory
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import (
    AccountError,
    add_user,
    authenticate,
    find_user,
    record_failed_sign_in,
    session_for,
    set_active,
    set_password,
    sign_in_unlocked_at,
    start_session,
)
from bot.staff.audit import UNKNOWN_NAME, WEB_VISITOR, recent_events, record
from bot.staff.roles import can
from bot.staff.tables import AuditEvent, StaffSession, StaffUser

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
        ("anna", "editor", "aaaaaaaaaaaa", "one character repeated"),
        ("anna", "editor", "password1234", "one of the most common"),
        ("anna", "editor", "anna12345678", "must not contain the user name"),
        ("anna", "editor", "ANNA-2026-anna", "must not contain the user name"),
        ("anna", "editor", "qwertyuiopas", "too easy to guess"),
        ("anna", "editor", "abcabcabcabc", "too easy to guess"),
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
        token = start_session(session, user, now, idle=timedelta(hours=10))
    with session_factory() as session:
        assert session_for(session, token, now + timedelta(hours=1)) is not None
        assert session_for(session, token, now + timedelta(hours=11)) is None
        assert session_for(session, "not-a-token", now) is None
    with session_factory.begin() as session:
        set_active(session, session.scalars(select(StaffUser)).one(), False, actor="boss")
    with session_factory() as session:
        assert session_for(session, token, now) is None
        assert authenticate(session, "anna", GOOD) is None


def test_a_session_ends_after_the_idle_time_but_each_use_extends_it(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime.now(timezone.utc)
    with session_factory.begin() as session:
        user = add_user(session, "anna", "editor", GOOD)
        session.flush()
        token = start_session(session, user, now, idle=timedelta(minutes=30))
        idle_token = start_session(session, user, now, idle=timedelta(minutes=30))
    for minutes in (20, 40, 60, 80):  # used every 20 minutes: alive after 80
        with session_factory() as session:
            assert session_for(session, token, now + timedelta(minutes=minutes)) is not None
    with session_factory() as session:
        assert session_for(session, idle_token, now + timedelta(minutes=31)) is None
        assert session_for(session, token, now + timedelta(minutes=111)) is None  # 31 idle
    with session_factory() as session:
        seen = session.scalars(select(StaffSession.last_seen_at)).all()
        assert sorted(as_utc(t) for t in seen) == [now, now + timedelta(minutes=80)]


def test_last_seen_is_written_at_most_once_a_minute(
    session_factory: sessionmaker[Session],
) -> None:
    now = datetime.now(timezone.utc)
    with session_factory.begin() as session:
        user = add_user(session, "anna", "editor", GOOD)
        session.flush()
        token = start_session(session, user, now)
    for seconds in (10, 30, 59):
        with session_factory() as session:
            assert session_for(session, token, now + timedelta(seconds=seconds)) is not None
    with session_factory() as session:
        assert as_utc(session.scalars(select(StaffSession.last_seen_at)).one()) == now
        session_for(session, token, now + timedelta(seconds=61))
    with session_factory() as session:
        assert as_utc(session.scalars(select(StaffSession.last_seen_at)).one()) == (
            now + timedelta(seconds=61)
        )


def test_a_failed_sign_in_keeps_the_name_only_when_it_is_an_account(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        add_user(session, "anna", "editor", GOOD)
    with session_factory.begin() as session:
        record_failed_sign_in(session, "anna", "ip:10.0.0.1")
        record_failed_sign_in(session, GOOD, "ip:10.0.0.1")  # the password, in the name box
    with session_factory() as session:
        events = [
            (e.actor, e.action, e.target, e.detail) for e in recent_events(session, action="login")
        ]
    assert events == [
        (WEB_VISITOR, "login.fail", UNKNOWN_NAME, {"client": "ip:10.0.0.1"}),
        (WEB_VISITOR, "login.fail", "anna", {"client": "ip:10.0.0.1"}),
    ]


def test_the_action_filter_takes_percent_and_underscore_literally(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        for action in ("login", "login.fail", "user.add"):
            record(session, "anna", action)
    with session_factory() as session:
        assert recent_events(session, action="%") == []
        assert recent_events(session, action="_ogin") == []
        assert [e.action for e in recent_events(session, action="login")] == [
            "login.fail",
            "login",
        ]


def test_a_new_password_is_checked_against_the_same_rules(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        add_user(session, "anna", "editor", GOOD)
    with session_factory.begin() as session:
        user = find_user(session, "anna")
        assert user is not None
        for weak in ("aaaaaaaaaaaa", "password1234", "anna12345678"):
            with pytest.raises(AccountError):
                set_password(session, user, weak, actor="boss")
        set_password(session, user, "kettle violet harbour at noon", actor="boss")
    with session_factory() as session:
        assert authenticate(session, "anna", "kettle violet harbour at noon") is not None


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


def test_the_cli_refuses_a_weak_password_and_unlocks_a_name(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    url = settings.database_url
    weak = _cli(["users", "add", "boss", "--role", "admin"], url, "password1234\n")
    assert weak.returncode == 1 and "most common" in weak.stderr
    assert _cli(["users", "add", "boss", "--role", "admin"], url, GOOD + "\n").returncode == 0
    with session_factory() as session:
        assert sign_in_unlocked_at(session, "boss") is None
    unlocked = _cli(["users", "unlock", "boss"], url, "")
    assert unlocked.returncode == 0, unlocked.stderr
    with session_factory() as session:
        assert sign_in_unlocked_at(session, "boss") is not None
        assert session.scalars(select(AuditEvent.action)).all() == ["user.add", "user.unlock"]
    assert _cli(["users", "unlock", "nobody"], url, "").returncode == 1
