"""Admin pages: staff accounts, the audit log, and each person's own password."""

from __future__ import annotations

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
)
from bot.staff.audit import recent_events
from bot.staff.roles import ADMIN, EDITOR, ROLES
from web.admin.common import NOTICES, read_form, redirect, render, session_factory, staff_page

NOTICES.update(
    {
        "user-added": "The user was added. Give them their password in person or by phone.",
        "user-changed": "The user was changed.",
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
            with session_factory(request).begin() as session:
                add_user(
                    session,
                    str(form.get("name", "")),
                    str(form.get("role", "")),
                    str(form.get("password", "")),
                    actor=request.state.staff.name,
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


@staff_page(ADMIN)
async def change_user(request: Request) -> Response:
    """POST: change one user's role, password or whether they can sign in."""
    form = await read_form(request)
    me = request.state.staff
    with session_factory(request).begin() as session:
        user = find_user(session, request.path_params["name"])
        if user is None:
            raise HTTPException(404, "There is no such user.")
        demoted = form.get("role") not in (None, "", ADMIN) or form.get("active") == "0"
        if user.id == me.id and demoted:
            raise HTTPException(400, "You cannot lower your own role or disable yourself.")
        try:
            if form.get("role"):
                set_role(session, user, str(form["role"]), actor=me.name)
            if form.get("active") in ("0", "1"):
                set_active(session, user, form["active"] == "1", actor=me.name)
            if form.get("password"):
                set_password(session, user, str(form["password"]), actor=me.name)
        except AccountError as problem:
            raise HTTPException(400, str(problem)) from problem
    return redirect(request, "admin:users", "user-changed")


@staff_page(EDITOR)
async def account_page(request: Request) -> Response:
    """GET: the signed-in person's account; POST: change their own password."""
    me = request.state.staff
    error = None
    if request.method == "POST":
        form = await read_form(request)
        with session_factory(request).begin() as session:
            user = authenticate(session, me.name, str(form.get("current", "")))
            if user is None:
                error = "Your current password is not right."
            elif form.get("new") != form.get("repeat"):
                error = "The two new passwords are not the same."
            else:
                try:
                    set_password(session, user, str(form.get("new", "")), actor=me.name)
                except AccountError as problem:
                    error = str(problem)
        if error is None:
            return redirect(request, "admin:login", "password-changed")
    return render(request, "admin/account.html", {"error": error}, status=400 if error else 200)


@staff_page(ADMIN)
async def audit_page(request: Request) -> Response:
    """GET: the newest staff actions, filtered by person or action."""
    actor = request.query_params.get("actor", "").strip() or None
    action = request.query_params.get("action", "").strip() or None
    with session_factory(request)() as session:
        events = recent_events(session, actor=actor, action=action, limit=500)
    context = {"events": events, "actor": actor or "", "action": action or ""}
    return render(request, "admin/audit.html", context)
