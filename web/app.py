"""The app factory: routes, middleware, lifespan, error pages.

Run with `uvicorn web.app:app_from_env --factory --port 8000` (`make run` does).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.errors import NotAllowed
from bot.kb.store import ArticleStore
from bot.language import LANGUAGES
from bot.settings import Settings
from web.admin import admin_routes
from web.admin.articles import MAX_PREVIEW_BYTES
from web.admin.common import MAX_FORM_BYTES
from web.body_limit import BodyLimit, BodyRule
from web.chat import MAX_BODY_BYTES, TOO_LONG, post_message, start_conversation
from web.i18n import page_language, say, strings_json
from web.model_server import model_file
from web.pages import chat_page, page_context, print_page, qr_code, topics_page
from web.ratelimit import ChatLimit, SignInThrottle, make_storage
from web.retention import retention
from web.security import SecurityHeaders

HERE = Path(__file__).resolve().parent
RASA_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
logger = logging.getLogger(__name__)

# The most each path takes, counted as the body arrives (the longest prefix wins).
TOO_LARGE = "That request is too large."  # to staff, in English like their forms
TOO_LARGE_PUBLIC = {language: say("too_large", language) for language in LANGUAGES}
BODY_RULES = (
    BodyRule("/api/message", MAX_BODY_BYTES, TOO_LONG),
    BodyRule("/api/conversation", 1_024, TOO_LARGE_PUBLIC),  # takes no body
    BodyRule("/admin/login", 8_192, TOO_LARGE),  # a name, a password, a token
    BodyRule("/admin/", 65_536, TOO_LARGE),  # the staff forms
    BodyRule("/admin/articles/", 200_000, "That article is too long."),  # form-encoded text
    BodyRule("/admin/articles/preview", MAX_PREVIEW_BYTES, "This article is too long to preview."),
    BodyRule("/admin/articles/import", MAX_FORM_BYTES, "That upload is too large."),
)
DEFAULT_BODY_RULE = BodyRule("", 16_384, TOO_LARGE_PUBLIC)  # pages and files take no body


async def _error_page(request: Request, exc: Exception) -> Response:
    language = page_language(request)
    if isinstance(exc, HTTPException):
        status, detail = exc.status_code, str(exc.detail)
        if status == 404 and detail == "Not Found":  # Starlette's own: no route here
            detail = say("error_no_page", language)
    elif isinstance(exc, NotAllowed):  # the rules in `bot` refused the person's role
        status, detail = 403, str(exc)
    else:  # the database is down or not migrated
        logger.error("page %s failed: %s", request.url.path, exc.__class__.__name__)
        status, detail = 503, say("error_down", language)
    return request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        page_context(language, status=status, detail=detail),
        status_code=status,
        headers={"Vary": "Accept-Language"},
    )


async def health(request: Request) -> Response:
    """The load balancer's health check: this process answers (the database may not)."""
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


def create_app(settings: Settings, store: ArticleStore | None = None) -> Starlette:
    """Build the web app.

    Args:
        settings: the one settings object (Rasa URL, public URL, limits, database).
        store: the knowledge base; default opened from `settings`.

    Returns:
        The Starlette application.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            retention(settings),  # purge old conversations now, then daily
            httpx.AsyncClient(base_url=settings.rasa_url, timeout=RASA_TIMEOUT) as rasa,
        ):
            app.state.rasa = rasa
            yield

    routes = [
        Route("/", chat_page, name="chat"),
        Route("/healthz", health, name="health"),
        Route("/topics", topics_page, name="topics"),
        Route("/topics/{slug}/print", print_page, name="print"),
        Route("/topics/{slug}/qr.svg", qr_code, name="qr"),
        Route("/api/message", post_message, methods=["POST"], name="message"),
        Route("/api/conversation", start_conversation, methods=["POST"], name="conversation"),
        # The Rasa replicas pull their model here (`endpoints-cluster.yml`).
        Route("/internal/model", model_file, name="model_file"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/admin", routes=admin_routes(), name="admin"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeaders, embed_origins=settings.embed_origins),
            Middleware(BodyLimit, rules=BODY_RULES, default=DEFAULT_BODY_RULE),
        ],
        exception_handlers={
            HTTPException: _error_page,
            NotAllowed: _error_page,
            SQLAlchemyError: _error_page,
        },
    )
    app.state.settings = settings
    app.state.store = store or ArticleStore.from_settings(settings, check=False)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    # Both languages' interface texts, for a page that loads chat-render.js on its own
    # (the staff editor's preview): `<script ... data-strings="{{ chat_strings() }}">`.
    app.state.templates.env.globals["chat_strings"] = strings_json
    # The one storage of the app's counts: Redis (shared by every web process) or memory.
    app.state.limits_storage = make_storage(settings.redis_url)
    app.state.rate_limiter = ChatLimit(app.state.limits_storage, settings.rate_limit_per_minute)
    app.state.login_throttle = SignInThrottle(app.state.limits_storage)
    return app


def app_from_env() -> Starlette:
    """The app configured from the environment (the uvicorn factory)."""
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per forwarded message
    return create_app(settings)
