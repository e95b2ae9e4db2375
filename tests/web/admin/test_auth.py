"""Signing in and out, sessions, CSRF, roles and the login throttle, through the real app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.staff import accounts
from bot.staff.audit import UNKNOWN_NAME, WEB_VISITOR
from bot.staff.tables import AuditEvent, StaffSession, StaffUser
from tests.support.stack import free_port
from tests.support.staff_client import PASSWORD, csrf_token, sign_in
from web.admin.common import COOKIE
from web.ratelimit import SignInThrottle, make_storage

FREE_FAILURES = 5  # web.ratelimit.PAIR_LIMITS: 5 a minute of one name from one address


def _audit_actions(session_factory: sessionmaker[Session]) -> list[tuple[str | None, str]]:
    with session_factory() as session:
        return [(e.actor, e.action) for e in session.scalars(select(AuditEvent))]


def test_a_page_of_the_workspace_sends_strangers_to_the_sign_in_form(
    new_client: Callable[[], TestClient],
) -> None:
    response = new_client().get("/admin/users?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=%2Fadmin%2Fusers%3Fx%3D1"


def test_signing_in_sets_an_httponly_samesite_cookie_and_lands_on_the_asked_page(
    new_client: Callable[[], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = new_client()
    form = client.get("/admin/login?next=/admin/audit")
    token = csrf_token(form.text)
    response = client.post(
        "/admin/login",
        data={"name": "Alice", "password": PASSWORD, "csrf_token": token, "next": "/admin/audit"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin/audit"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert client.get("/admin/audit").status_code == 200
    with session_factory() as session:  # only a hash of the cookie token is stored
        stored = session.scalars(select(StaffSession.token_hash)).all()
    assert stored and client.cookies[COOKIE] not in stored
    assert ("alice", "login") in _audit_actions(session_factory)


def test_the_cookie_is_secure_when_the_site_is_served_over_https(
    new_client: Callable[[], TestClient],
) -> None:
    client = new_client()
    client.app.state.settings = client.app.state.settings.__class__(
        **{**client.app.state.settings.__dict__, "public_url": "https://chat.example.org"}
    )
    form = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"name": "rita", "password": PASSWORD, "csrf_token": csrf_token(form.text)},
    )
    assert "Secure" in response.headers["set-cookie"]


def test_a_wrong_password_or_unknown_user_gets_the_same_answer(
    new_client: Callable[[], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = new_client()
    answers = []
    for name, password in (("alice", "wrong password here"), ("nobody", PASSWORD)):
        form = client.get("/admin/login")
        response = client.post(
            "/admin/login",
            data={"name": name, "password": password, "csrf_token": csrf_token(form.text)},
        )
        answers.append((response.status_code, "do not match" in response.text))
        assert COOKIE not in client.cookies
    assert answers == [(401, True), (401, True)]
    assert (WEB_VISITOR, "login.fail") in _audit_actions(session_factory)


def test_a_failed_sign_in_is_audited_as_anonymous_without_what_was_typed(
    new_client: Callable[[], TestClient],
    signed_in: Callable[[str], TestClient],
    session_factory: sessionmaker[Session],
) -> None:
    client = new_client()
    for name in ("rita", "my secret password"):  # a password typed in the name box
        form = client.get("/admin/login")
        client.post(
            "/admin/login",
            data={"name": name, "password": "not it at all", "csrf_token": csrf_token(form.text)},
        )
    with session_factory() as session:
        failures = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login.fail").order_by(AuditEvent.id)
        ).all()
        assert [(e.actor, e.target) for e in failures] == [
            (WEB_VISITOR, "rita"),
            (WEB_VISITOR, UNKNOWN_NAME),
        ]
        assert all(e.detail == {"client": "ip:testclient"} for e in failures)
    page = signed_in("alice").get("/admin/audit?action=login.fail")
    assert "anonymous (web)" in page.text and "command line" not in page.text
    assert "my secret password" not in page.text


def test_the_audit_filter_takes_percent_literally(signed_in: Callable[[str], TestClient]) -> None:
    admin = signed_in("alice")
    assert admin.get("/admin/audit").context["events"]  # the sign-in, at least
    for pattern in ("%", "_ogin"):
        response = admin.get("/admin/audit", params={"action": pattern})
        assert response.status_code == 200 and response.context["events"] == []


def test_the_sign_in_form_needs_its_csrf_token(new_client: Callable[[], TestClient]) -> None:
    client = new_client()
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"name": "alice", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403 and COOKIE not in client.cookies


@pytest.mark.parametrize("token", ["é", "Ã©", "\u2603" * 40])
def test_a_non_ascii_sign_in_token_is_refused_not_an_error(
    new_client: Callable[[], TestClient], token: str
) -> None:
    client = new_client()
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403 and "expired" in response.text


def _try(client: TestClient, name: str, password: str) -> object:
    form = client.get("/admin/login")
    return client.post(
        "/admin/login",
        data={"name": name, "password": password, "csrf_token": csrf_token(form.text)},
    )


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(
    new_client: Callable[..., TestClient],
) -> None:
    attacker = new_client("127.0.0.4")
    statuses = [_try(attacker, "rita", "guess " * 3).status_code for _ in range(6)]
    assert statuses == [401] * FREE_FAILURES + [429]
    sign_in(new_client("127.0.0.5"), "rita")  # the right password from her own address
    slowed = _try(attacker, "rita", PASSWORD)  # the attacker is slowed, right guess or not
    assert slowed.status_code == 429 and COOKIE not in attacker.cookies
    assert "Too many failed attempts" in slowed.text
    assert 55 <= int(slowed.headers["retry-after"]) <= 61  # the minute window frees
    sign_in(attacker, "eddie")  # and others behind the attacker's address still get in


def test_a_guessing_loop_is_stopped_before_the_password_is_checked(
    new_client: Callable[..., TestClient],
) -> None:
    client = new_client("127.0.0.6")
    statuses = [_try(client, "alice", f"guess number {n}").status_code for n in range(8)]
    assert statuses == [401] * FREE_FAILURES + [429] * 3
    assert _try(client, "alice", PASSWORD).status_code == 429  # not even the right one


def test_an_admin_unlocks_a_slowed_sign_in_from_the_users_page(
    new_client: Callable[..., TestClient],
    signed_in: Callable[[str], TestClient],
    session_factory: sessionmaker[Session],
) -> None:
    nurse = new_client("127.0.0.7")  # rita, mistyping on a shared ward PC
    for _ in range(FREE_FAILURES):
        assert _try(nurse, "rita", "wrong password again").status_code == 401
    assert _try(nurse, "rita", PASSWORD).status_code == 429
    admin = signed_in("alice")
    page = admin.get("/admin/users")
    assert "Unlock sign-in of rita" in page.text
    done = admin.post(
        "/admin/users/rita", data={"unlock": "1", "csrf_token": csrf_token(page.text)}
    )
    assert done.status_code == 303 and "user-unlocked" in done.headers["location"]
    assert ("alice", "user.unlock") in _audit_actions(session_factory)
    sign_in(nurse, "rita")


def test_without_its_redis_the_sign_in_page_says_so_and_checks_no_password(
    new_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = new_client()
    nothing_there = make_storage(f"redis://:pw@127.0.0.1:{free_port()}/0")
    client.app.state.login_throttle = SignInThrottle(nothing_there)
    monkeypatch.setattr(accounts, "_hasher", None)  # a password check would fail loudly
    response = _try(client, "alice", PASSWORD)
    assert response.status_code == 503 and COOKIE not in client.cookies
    assert "Signing in is not available right now" in response.text


def test_the_password_hash_runs_off_the_event_loop(
    new_client: Callable[[], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    class WatchedHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            threads.append(threading.current_thread().name)
            return super().verify(hash, password)

    client = new_client()
    loop_thread = client.portal.call(lambda: threading.current_thread().name)
    monkeypatch.setattr(accounts, "_hasher", WatchedHasher())
    sign_in(client, "alice")
    assert _try(new_client(), "alice", "wrong password again").status_code == 401
    assert len(threads) == 2 and loop_thread not in threads


def test_a_session_unused_for_the_idle_time_ends(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = signed_in("rita")
    with session_factory() as session:
        assert session.scalars(select(StaffSession.idle_minutes)).one() == 30  # the default
    assert client.get("/admin/").status_code == 200
    with session_factory.begin() as session:
        session.execute(
            update(StaffSession).values(
                last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=31)
            )
        )
    assert client.get("/admin/").status_code == 303  # back to the sign-in form


def test_a_session_in_use_is_kept_alive_past_the_idle_time(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = signed_in("rita")
    with session_factory.begin() as session:
        session.execute(
            update(StaffSession).values(
                created_at=datetime.now(timezone.utc) - timedelta(minutes=50),
                last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=20),
            )
        )
    assert client.get("/admin/").status_code == 200  # used 20 minutes ago: still alive
    with session_factory() as session:
        seen = session.scalars(select(StaffSession.last_seen_at)).one()
    assert datetime.now(timezone.utc) - seen.replace(tzinfo=timezone.utc) < timedelta(minutes=5)


def test_the_idle_time_comes_from_the_settings(
    new_client: Callable[[], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = new_client()
    client.app.state.settings = client.app.state.settings.__class__(
        **{**client.app.state.settings.__dict__, "staff_idle_minutes": 5}
    )
    sign_in(client, "eddie")
    with session_factory() as session:
        assert session.scalars(select(StaffSession.idle_minutes)).one() == 5


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    admin = signed_in("alice")
    response = admin.post(
        "/admin/users", data={"name": "mallory", "role": "admin", "password": "x" * 20}
    )
    assert response.status_code == 403 and "expired" in response.text
    forged = admin.post(
        "/admin/users",
        data={"name": "mallory", "role": "admin", "password": "x" * 20, "csrf_token": "nope"},
    )
    assert forged.status_code == 403
    with session_factory() as session:
        assert session.scalars(select(StaffUser).where(StaffUser.name == "mallory")).first() is None


def test_only_admins_manage_users_and_read_the_audit_log(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    for name in ("eddie", "rita"):
        client = signed_in(name)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/audit").status_code == 403
        token = csrf_token(client.get("/admin/account").text)
        response = client.post("/admin/users/eddie", data={"role": "admin", "csrf_token": token})
        assert response.status_code == 403
    with session_factory() as session:
        assert session.scalars(select(StaffUser.role).where(StaffUser.name == "eddie")).one() == (
            "editor"
        )


def test_an_admin_adds_a_user_who_can_then_sign_in(
    signed_in: Callable[[str], TestClient],
    new_client: Callable[[], TestClient],
    session_factory: sessionmaker[Session],
) -> None:
    admin = signed_in("alice")
    token = csrf_token(admin.get("/admin/users").text)
    weak = admin.post(
        "/admin/users",
        data={"name": "nina", "role": "editor", "password": "short", "csrf_token": token},
    )
    assert weak.status_code == 400 and "at least 12 characters" in weak.text
    for password, reason in (
        ("aaaaaaaaaaaa", "one character repeated"),
        ("password1234", "one of the most common"),
        ("nina12345678", "must not contain the user name"),
    ):
        refused = admin.post(
            "/admin/users",
            data={"name": "nina", "role": "editor", "password": password, "csrf_token": token},
        )
        assert refused.status_code == 400 and reason in refused.text
    added = admin.post(
        "/admin/users",
        data={
            "name": "nina",
            "role": "editor",
            "password": "a long new password",
            "csrf_token": token,
        },
    )
    assert added.status_code == 303
    sign_in(new_client(), "nina", "a long new password")
    assert ("alice", "user.add") in _audit_actions(session_factory)


def test_disabling_a_user_ends_their_sessions_at_once(
    signed_in: Callable[[str], TestClient],
) -> None:
    editor = signed_in("eddie")
    assert editor.get("/admin/").status_code == 200
    admin = signed_in("alice")
    token = csrf_token(admin.get("/admin/users").text)
    response = admin.post("/admin/users/eddie", data={"active": "0", "csrf_token": token})
    assert response.status_code == 303
    assert editor.get("/admin/").status_code == 303  # back to the sign-in form


def test_an_admin_cannot_demote_or_disable_themselves(
    signed_in: Callable[[str], TestClient],
) -> None:
    admin = signed_in("alice")
    token = csrf_token(admin.get("/admin/users").text)
    assert (
        admin.post("/admin/users/alice", data={"role": "editor", "csrf_token": token}).status_code
        == 400
    )
    assert (
        admin.post("/admin/users/alice", data={"active": "0", "csrf_token": token}).status_code
        == 400
    )


def test_an_admin_changes_their_own_password_only_with_the_current_one(
    signed_in: Callable[[str], TestClient],
    new_client: Callable[[], TestClient],
    session_factory: sessionmaker[Session],
) -> None:
    admin = signed_in("alice")
    page = admin.get("/admin/users")
    assert 'id="password-alice"' not in page.text and 'id="password-rita"' in page.text
    response = admin.post(
        "/admin/users/alice",
        data={"password": "a brand new passphrase", "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 400 and "My account" in response.text
    sign_in(new_client(), "alice")  # the old password still works
    assert ("alice", "user.password") not in _audit_actions(session_factory)


def test_signing_out_ends_the_session_on_the_server(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = signed_in("rita")
    cookie = client.cookies[COOKIE]
    token = csrf_token(client.get("/admin/").text)
    response = client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 303 and "signed-out" in response.headers["location"]
    client.cookies.set(COOKIE, cookie, path="/admin")  # a stolen copy of the cookie is useless
    assert client.get("/admin/").status_code == 303
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_an_expired_session_is_not_accepted(
    signed_in: Callable[[str], TestClient], session_factory: sessionmaker[Session]
) -> None:
    client = signed_in("rita")
    with session_factory.begin() as session:
        session.execute(
            update(StaffSession).values(
                expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)
            )
        )
    assert client.get("/admin/").status_code == 303


def test_changing_my_password_needs_the_current_one(
    signed_in: Callable[[str], TestClient], new_client: Callable[[], TestClient]
) -> None:
    client = signed_in("eddie")
    token = csrf_token(client.get("/admin/account").text)
    wrong = client.post(
        "/admin/account",
        data={
            "current": "not it at all",
            "new": "my new password!",
            "repeat": "my new password!",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 400 and "not right" in wrong.text
    weak = client.post(
        "/admin/account",
        data={
            "current": PASSWORD,
            "new": "eddie12345678",
            "repeat": "eddie12345678",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 400 and "must not contain the user name" in weak.text
    done = client.post(
        "/admin/account",
        data={
            "current": PASSWORD,
            "new": "my new password!",
            "repeat": "my new password!",
            "csrf_token": token,
        },
    )
    assert done.status_code == 303
    sign_in(new_client(), "eddie", "my new password!")


def test_the_next_parameter_never_leads_off_the_workspace(
    new_client: Callable[[], TestClient],
) -> None:
    client = new_client()
    form = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={
            "name": "alice",
            "password": PASSWORD,
            "csrf_token": csrf_token(form.text),
            "next": "//evil.example/admin",
        },
    )
    assert response.headers["location"] == "/admin/"
