"""Signing in and out of the staff workspace."""

from __future__ import annotations

import hmac
import logging
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.staff.accounts import authenticate, end_session, start_session
from bot.staff.audit import record
from web.admin.common import (
    COOKIE,
    check_csrf,
    current_staff,
    read_form,
    render,
    session_factory,
)

logger = logging.getLogger(__name__)

LOGIN_FAILURES = 5  # per user name and per client address
LOGIN_WINDOW = 15 * 60  # seconds
BAD_LOGIN = "That user name and password do not match. Please try again."
# Before sign-in there is no session to hold a CSRF token: the form and a cookie carry
# the same random value instead (double submit), so no other site can sign you in.
LOGIN_CSRF_COOKIE = "login_csrf"


def _safe_next(target: str) -> str:
    # Only a path inside the workspace: never another site (an open redirect).
    return target if target.startswith("/admin") and not target.startswith("//") else "/admin/"


def _client(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "unknown")


async def login_page(request: Request) -> Response:
    """GET: the sign-in form; POST: check the password, start a session."""
    if request.method == "GET":
        if current_staff(request) is not None:
            return RedirectResponse(_safe_next(request.query_params.get("next", "")), 303)
        return _login_form(request, {"next": request.query_params.get("next", "")})
    form = await read_form(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, str(form.get("csrf_token", ""))):
        return _login_form(
            request, {"error": "This form has expired. Please sign in again."}, status=403
        )
    name = str(form.get("name", "")).strip().lower()[:80]
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    throttle = request.app.state.login_throttle
    keys = ("user:" + name, _client(request))
    wait = throttle.blocked(*keys)
    if wait:
        minutes = max(1, round(wait / 60))
        error = f"Too many failed attempts. Please wait {minutes} minute(s) and try again."
        return _login_form(request, {"error": error, "name": name, "next": target}, 429)
    with session_factory(request).begin() as session:
        user = authenticate(session, name, password)
        if user is None:
            record(session, None, "login.fail", name or None, {"client": keys[1]})
            token = None
        else:
            token = start_session(session, user)
            record(session, user.name, "login", user.name)
    if token is None:
        throttle.fail(*keys)
        return _login_form(request, {"error": BAD_LOGIN, "name": name, "next": target}, 401)
    throttle.clear(keys[0])
    response = RedirectResponse(target, 303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
    _set_private_cookie(request, response, COOKIE, token, "/admin")
    return response


def _login_form(request: Request, context: dict[str, str], status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "admin/login.html", {**context, "login_csrf": token}, status)
    _set_private_cookie(request, response, LOGIN_CSRF_COOKIE, token, "/admin/login")
    return response


def _set_private_cookie(
    request: Request, response: Response, name: str, value: str, path: str
) -> None:
    """Set a cookie no script can read and no other site can send (Secure over https)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.public_url.startswith("https://"),
        path=path,
    )


async def logout(request: Request) -> Response:
    """POST only (a link could sign someone out from another site): end the session."""
    staff = current_staff(request)
    if staff is not None:
        await check_csrf(request, staff.csrf_token)
        with session_factory(request).begin() as session:
            end_session(session, staff.cookie)
            record(session, staff.name, "logout", staff.name)
    response = RedirectResponse(request.url_for("admin:login").path + "?notice=signed-out", 303)
    response.delete_cookie(COOKIE, path="/admin")
    return response
