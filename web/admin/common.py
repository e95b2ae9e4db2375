"""What every staff page shares: who is signed in, role checks, CSRF, rendering.

Every rule is checked here, on the server: a page that hides a button for an
editor is a courtesy; `staff_page(REVIEWER)` is the rule.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.staff.accounts import session_for
from bot.staff.kb_exchange import MAX_FILES
from bot.staff.roles import ROLES, Actor, can
from bot.training.training_data import known_intents as topic_known_intents

logger = logging.getLogger(__name__)

COOKIE = "staff_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 2_000_000  # a whole knowledge-base import fits; more is refused
MAX_FORM_FIELDS = 200  # the largest staff form has a few dozen
MAX_UPLOAD_FILES = MAX_FILES  # an import of loose .yml files, one per article
# What a staff endpoint's POST body is: a form, a form with files, or JSON.
FORM, UPLOAD, JSON = "form", "upload", "json"
Endpoint = Callable[[Request], Awaitable[Response]]

# Messages shown after a form succeeds, looked up by key so a link cannot inject text.
NOTICES: dict[str, str] = {
    "signed-out": "You are signed out.",
}


@dataclass(frozen=True)
class Staff:
    """The signed-in member of staff for this request."""

    id: int
    name: str
    role: str
    csrf_token: str
    cookie: str

    def can(self, needed: str) -> bool:
        """Whether this person's role allows what `needed` allows."""
        return can(self.role, needed)

    @property
    def actor(self) -> Actor:
        """This person, as the actor of the operations they ask for."""
        return Actor(self.name, self.role)


def known_intents(request: Request) -> list[str] | None:
    """The domain's intents and every article's topic intent (generated at training)."""
    with session_factory(request)() as session:
        return topic_known_intents(session, request.app.state.settings.domain_file)


def session_factory(request: Request) -> sessionmaker[Session]:
    """The process's one session factory (the knowledge base's)."""
    return request.app.state.store.session_factory


def current_staff(request: Request) -> Staff | None:
    """Return who is signed in on this request, or None."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    with session_factory(request)() as session:
        found = session_for(session, token)
        if found is None:
            return None
        row, user = found
        return Staff(user.id, user.name, user.role, row.csrf_token, token)


def staff_page(needed: str, body: str = FORM) -> Callable[[Endpoint], Endpoint]:
    """Guard an endpoint: signed in, role at least `needed`, CSRF token on every POST.

    Someone not signed in is sent to the sign-in page (pages) or gets 401 (API
    calls); a role that is too low gets 403; a POST without the session's CSRF
    token gets 403 and changes nothing.

    Args:
        needed: the lowest role allowed.
        body: what a POST carries: FORM (no files), UPLOAD (a form with files) or JSON
            (anything else gets 415 before the body is read).
    """
    if needed not in ROLES:
        raise ValueError(f"unknown role {needed!r}")
    if body not in (FORM, UPLOAD, JSON):
        raise ValueError(f"unknown body kind {body!r}")

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            staff = current_staff(request)
            if staff is None:
                if request.method == "GET":
                    query = f"?{request.url.query}" if request.url.query else ""
                    login = request.url_for("admin:login").path
                    next_ = urlencode({"next": request.url.path + query})
                    return RedirectResponse(f"{login}?{next_}", 303)
                raise HTTPException(401, "Please sign in again: your session has ended.")
            if not staff.can(needed):
                raise HTTPException(403, f"This needs the {needed} role; you are {staff.role}.")
            if request.method not in ("GET", "HEAD"):
                if body == JSON and not _is_json(request):
                    raise HTTPException(415, "This address takes JSON only.")
                request.state.max_files = MAX_UPLOAD_FILES if body == UPLOAD else 0
                await check_csrf(request, staff.csrf_token)
            request.state.staff = staff
            response = await endpoint(request)
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        return guarded

    return decorate


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip() == "application/json"


async def read_form(request: Request) -> FormData:
    """Read a posted form once (it is cached for `check_csrf` and the endpoint).

    The body's size is capped while it arrives (`web.body_limit`); here the form's
    shape is: at most MAX_FORM_FIELDS fields, and files only where `staff_page` said
    the endpoint takes an upload.
    """
    cached = getattr(request.state, "form", None)
    if cached is None:
        cached = request.state.form = await request.form(
            max_files=getattr(request.state, "max_files", 0),
            max_fields=MAX_FORM_FIELDS,
            max_part_size=MAX_FORM_BYTES,
        )
    return cached


def tokens_match(sent: str, expected: str) -> bool:
    """Whether a CSRF token sent matches, in constant time, whatever characters it has.

    `hmac.compare_digest` raises on non-ASCII `str`; as bytes, "é" is just a wrong token.
    """
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse a state-changing request without this session's CSRF token.

    Forms send it as a hidden field; the editor's fetch calls send it as a header.
    """
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await read_form(request)).get(CSRF_FIELD, ""))
    if not tokens_match(sent, expected):
        logger.warning("refused %s %s: no valid CSRF token", request.method, request.url.path)
        raise HTTPException(403, "This form has expired. Go back, reload the page and try again.")


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> Response:
    """Render a staff page with who is signed in, the CSRF token and any notice."""
    staff = getattr(request.state, "staff", None)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return request.app.state.templates.TemplateResponse(
        request,
        template,
        {
            "staff": staff,
            "csrf_token": staff.csrf_token if staff else "",
            "notice": notice,
            **(context or {}),
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def redirect(request: Request, route: str, notice: str | None = None, **params: Any) -> Response:
    """Redirect after a successful POST (303), with a notice key from NOTICES."""
    url = request.url_for(route, **params).path
    if notice is not None:
        assert notice in NOTICES, notice
        url += "?" + urlencode({"notice": notice})
    return RedirectResponse(url, status_code=303)
