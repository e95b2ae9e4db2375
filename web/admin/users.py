"""Admin pages: staff accounts, the audit log, and each person's own password."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.staff.accounts import (
    AccountError,
    add_user,
    authenticate,
    find_user,
    list_users,
    set_active,
    set_password,
    set_role,
    unlock_sign_in,
)
from bot.staff.audit import recent_events
from bot.staff.roles import ADMIN, EDITOR, ROLES
from web.admin.common import NOTICES, read_form, redirect, render, session_factory, staff_page

NOTICES.update(
    {
        "user-added": "The user was added. Give them their password in person or by phone.",
        "user-changed": "The user was changed.",
        "user-unlocked": "The user can sign in again at once (earlier failed tries are forgotten).",
        "password-changed": "Your password was changed. Other browsers were signed out.",
    }
)


@staff_page(ADMIN)
async def users_page(request: Request) -> Response:
    """GET: every account; POST: add one."""
    error = None
    if request.method == "POST":
        form = await read_form(request)
        try:
            # argon2 and the password checks take CPU time: off the event loop.
            await run_in_threadpool(
                _add_user, session_factory(request), form, request.state.staff.name
            )
            return redirect(request, "admin:users", "user-added")
        except AccountError as problem:
            error = str(problem)
    with session_factory(request)() as session:
        users = list_users(session)
    return render(
        request,
        "admin/users.html",
        {"users": users, "roles": ROLES, "error": error},
        status=400 if error else 200,
    )


def _add_user(factory: sessionmaker[Session], form: FormData, actor: str) -> None:
    with factory.begin() as session:
        add_user(
            session,
            str(form.get("name", "")),
            str(form.get("role", "")),
            str(form.get("password", "")),
            actor=actor,
        )


@staff_page(ADMIN)
async def change_user(request: Request) -> Response:
    """POST: change one user's role, password, whether they can sign in, or unlock it."""
    form = await read_form(request)
    me = request.state.staff
    await run_in_threadpool(
        _change_user, session_factory(request), request.path_params["name"], form, me.id, me.name
    )
    return redirect(
        request, "admin:users", "user-unlocked" if form.get("unlock") else "user-changed"
    )


def _change_user(
    factory: sessionmaker[Session], name: str, form: FormData, my_id: int, me: str
) -> None:
    """Apply the form to the user `name` (in a worker thread: a new password is hashed)."""
    with factory.begin() as session:
        user = find_user(session, name)
        if user is None:
            raise HTTPException(404, "There is no such user.")
        demoted = form.get("role") not in (None, "", ADMIN) or form.get("active") == "0"
        if user.id == my_id and demoted:
            raise HTTPException(400, "You cannot lower your own role or disable yourself.")
        if user.id == my_id and form.get("password"):
            # Here no current password is asked for: someone at an unattended browser
            # could otherwise take the account over.
            raise HTTPException(
                400, "Change your own password under My account: it asks for the current one."
            )
        try:
            if form.get("role"):
                set_role(session, user, str(form["role"]), actor=me)
            if form.get("active") in ("0", "1"):
                set_active(session, user, form["active"] == "1", actor=me)
            if form.get("password"):
                set_password(session, user, str(form["password"]), actor=me)
            if form.get("unlock"):
                unlock_sign_in(session, user, actor=me)
        except AccountError as problem:
            raise HTTPException(400, str(problem)) from problem


@staff_page(EDITOR)
async def account_page(request: Request) -> Response:
    """GET: the signed-in person's account; POST: change their own password."""
    me = request.state.staff
    error = None
    if request.method == "POST":
        form = await read_form(request)
        error = await run_in_threadpool(
            _change_my_password, session_factory(request), me.name, form
        )
        if error is None:
            return redirect(request, "admin:login", "password-changed")
    return render(request, "admin/account.html", {"error": error}, status=400 if error else 200)


def _change_my_password(factory: sessionmaker[Session], name: str, form: FormData) -> str | None:
    """Check the current password and set the new one (in a worker thread); the error."""
    with factory.begin() as session:
        user = authenticate(session, name, str(form.get("current", "")))
        if user is None:
            return "Your current password is not right."
        if form.get("new") != form.get("repeat"):
            return "The two new passwords are not the same."
        try:
            set_password(session, user, str(form.get("new", "")), actor=name)
        except AccountError as problem:
            return str(problem)
    return None


@staff_page(ADMIN)
async def audit_page(request: Request) -> Response:
    """GET: the newest staff actions, filtered by person or action."""
    actor = request.query_params.get("actor", "").strip() or None
    action = request.query_params.get("action", "").strip() or None
    with session_factory(request)() as session:
        events = recent_events(session, actor=actor, action=action, limit=500)
    context = {"events": events, "actor": actor or "", "action": action or ""}
    return render(request, "admin/audit.html", context)
