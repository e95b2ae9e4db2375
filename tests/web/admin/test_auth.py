"""Signing in and out, sessions, CSRF, roles and the login throttle, through the real app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.staff.tables import AuditEvent, StaffSession, StaffUser
from tests.support.staff_client import PASSWORD, csrf_token, sign_in
from web.admin.auth import LOGIN_FAILURES
from web.admin.common import COOKIE


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
    assert (None, "login.fail") in _audit_actions(session_factory)


def test_the_sign_in_form_needs_its_csrf_token(new_client: Callable[[], TestClient]) -> None:
    client = new_client()
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"name": "alice", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403 and COOKIE not in client.cookies


def test_sign_in_is_rate_limited_per_user_name_even_with_the_right_password(
    new_client: Callable[[], TestClient],
) -> None:
    attacker = new_client()
    for _ in range(LOGIN_FAILURES):
        form = attacker.get("/admin/login")
        response = attacker.post(
            "/admin/login",
            data={"name": "rita", "password": "guess " * 3, "csrf_token": csrf_token(form.text)},
        )
        assert response.status_code == 401
    form = attacker.get("/admin/login")
    locked = attacker.post(
        "/admin/login",
        data={"name": "rita", "password": PASSWORD, "csrf_token": csrf_token(form.text)},
    )
    assert locked.status_code == 429 and "Too many failed attempts" in locked.text
    assert COOKIE not in attacker.cookies
    form = attacker.get("/admin/login")  # the attacker's address is locked for every name
    other = attacker.post(
        "/admin/login",
        data={"name": "eddie", "password": PASSWORD, "csrf_token": csrf_token(form.text)},
    )
    assert other.status_code == 429
    sign_in(new_client("10.0.0.7"), "eddie")  # other people elsewhere are not locked out
    elsewhere = new_client("10.0.0.8")  # but the attacked name is, from every address
    form = elsewhere.get("/admin/login")
    response = elsewhere.post(
        "/admin/login",
        data={"name": "rita", "password": PASSWORD, "csrf_token": csrf_token(form.text)},
    )
    assert response.status_code == 429


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
