"""Signing in and out of the staff workspace."""

from __future__ import annotations

import asyncio
import logging
import secrets
import weakref
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.staff.accounts import (
    authenticate,
    end_session,
    record_failed_sign_in,
    sign_in_unlocked_at,
    start_session,
)
from bot.staff.audit import record
from web.admin.common import (
    COOKIE,
    check_csrf,
    current_staff,
    read_form,
    render,
    session_factory,
    tokens_match,
)
from web.client_address import client_address
from web.ratelimit import LimitsUnavailable, SignInThrottle

logger = logging.getLogger(__name__)

# Each check costs about 0.1 s of CPU and 64 MiB (argon2): a few at a time per process,
# the others wait their turn without holding the event loop.
MAX_CONCURRENT_SIGN_INS = 4
BAD_LOGIN = "That user name and password do not match. Please try again."
NO_THROTTLE = (
    "Signing in is not available right now (the shared rate-limit store does not answer). "
    "Please try again in a minute; if it goes on, tell the administrator."
)
# Before sign-in there is no session to hold a CSRF token: the form and a cookie carry
# the same random value instead (double submit), so no other site can sign you in.
LOGIN_CSRF_COOKIE = "login_csrf"
# One semaphore per event loop (an asyncio one belongs to the loop it first waits on).
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _safe_next(target: str) -> str:
    # Only a path inside the workspace: never another site (an open redirect).
    return target if target.startswith("/admin") and not target.startswith("//") else "/admin/"


def _sign_in_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(MAX_CONCURRENT_SIGN_INS)
    return slots


async def login_page(request: Request) -> Response:
    """GET: the sign-in form; POST: check the password, start a session."""
    if request.method == "GET":
        if current_staff(request) is not None:
            return RedirectResponse(_safe_next(request.query_params.get("next", "")), 303)
        return _login_form(request, {"next": request.query_params.get("next", "")})
    form = await read_form(request)
    sent = str(form.get("csrf_token", ""))
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE, ""), sent):
        return _login_form(
            request, {"error": "This form has expired. Please sign in again."}, status=403
        )
    name = str(form.get("name", "")).strip().lower()[:80]
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    address = client_address(request)
    throttle: SignInThrottle = request.app.state.login_throttle
    factory = session_factory(request)
    try:
        unlocked, wait = await run_in_threadpool(_wait, factory, throttle, name, address)
    except LimitsUnavailable as error:
        # Fails closed: without the shared counts, guesses would go unthrottled on every
        # web process. Staff can wait a minute for Redis; patients' chat fails open instead.
        logger.error("sign-in refused: the throttle's Redis does not answer (%s)", error)
        return _login_form(request, {"error": NO_THROTTLE, "name": name, "next": target}, 503)
    if wait:
        return _slow_down(request, wait, name, target)
    idle = timedelta(minutes=request.app.state.settings.staff_idle_minutes)
    async with _sign_in_slots():  # the hash runs in a thread: other pages keep being served
        token = await run_in_threadpool(_sign_in, factory, name, password, address, idle)
    count = throttle.succeeded if token else throttle.failed
    try:
        await run_in_threadpool(count, name, address, unlocked_at=unlocked)
    except LimitsUnavailable as error:  # the next try checks Redis first, and fails closed
        logger.warning("sign-in outcome not counted: the throttle's Redis fails (%s)", error)
    if token is None:
        return _login_form(request, {"error": BAD_LOGIN, "name": name, "next": target}, 401)
    response = RedirectResponse(target, 303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
    _set_private_cookie(request, response, COOKIE, token, "/admin")
    return response


def _wait(
    factory: sessionmaker[Session], throttle: SignInThrottle, name: str, address: str
) -> tuple[float | None, int]:
    """When `name` was last unlocked, and the seconds to wait (in a worker thread)."""
    with factory() as session:
        unlocked = sign_in_unlocked_at(session, name)
    unlocked_at = unlocked.timestamp() if unlocked else None
    return unlocked_at, throttle.wait(name, address, unlocked_at=unlocked_at)


def _sign_in(
    factory: sessionmaker[Session], name: str, password: str, address: str, idle: timedelta
) -> str | None:
    """Check the password and start a session (in a worker thread); the token or None."""
    with factory.begin() as session:
        user = authenticate(session, name, password)
        if user is None:
            record_failed_sign_in(session, name, "ip:" + address)
            return None
        token = start_session(session, user, idle=idle)
        record(session, user.name, "login", user.name)
    return token


def _slow_down(request: Request, wait: int, name: str, target: str) -> Response:
    if wait < 60:
        when = f"{wait} second{'s' if wait != 1 else ''}"
    else:
        when = f"{round(wait / 60)} minute(s)"
    error = (
        f"Too many failed attempts. Please wait {when} and try again. "
        "If you are sure of your password, an administrator can unlock your sign-in."
    )
    response = _login_form(request, {"error": error, "name": name, "next": target}, 429)
    response.headers["Retry-After"] = str(wait)
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
