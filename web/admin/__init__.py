"""The staff workspace (/admin): accounts, answers, the inbox, train and deploy.

Each module serves one part; this one only lists the routes.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.staff.roles import EDITOR
from web.admin import articles, auth, deploy, examples, inbox, settings, transfer, users
from web.admin.common import render, staff_page


@staff_page(EDITOR)
async def home(request: Request) -> Response:
    """The workspace's start page: what each role can do from here."""
    return render(request, "admin/home.html")


def admin_routes() -> list[Route]:
    """Every route of the workspace, to mount under /admin."""
    return [
        Route("/", home, name="home"),
        Route("/login", auth.login_page, methods=["GET", "POST"], name="login"),
        Route("/logout", auth.logout, methods=["POST"], name="logout"),
        Route("/account", users.account_page, methods=["GET", "POST"], name="account"),
        Route("/users", users.users_page, methods=["GET", "POST"], name="users"),
        Route("/users/{name}", users.change_user, methods=["POST"], name="user"),
        Route("/audit", users.audit_page, name="audit"),
        Route("/articles", articles.articles_page, name="articles"),
        Route("/articles/new", articles.new_article, methods=["GET", "POST"], name="article_new"),
        Route("/articles/preview", articles.preview, methods=["POST"], name="article_preview"),
        Route("/articles/export", transfer.export_kb, name="kb_export"),
        Route("/articles/import", transfer.import_kb, methods=["GET", "POST"], name="kb_import"),
        Route("/articles/{slug}", articles.edit_article, methods=["GET", "POST"], name="article"),
        Route("/articles/{slug}/history", articles.history_page, name="article_history"),
        Route(
            "/articles/{slug}/examples",
            examples.examples_page,
            methods=["GET", "POST"],
            name="article_examples",
        ),
        Route("/articles/{slug}/review", articles.review, methods=["POST"], name="article_review"),
        Route(
            "/articles/{slug}/signoff",
            articles.sign_off_article,
            methods=["POST"],
            name="article_signoff",
        ),
        Route(
            "/articles/{slug}/revert",
            articles.revert_article,
            methods=["POST"],
            name="article_revert",
        ),
        Route(
            "/articles/{slug}/unpublish",
            articles.unpublish_article,
            methods=["POST"],
            name="article_unpublish",
        ),
        Route("/settings", settings.settings_page, methods=["GET", "POST"], name="settings"),
        Route("/inbox", inbox.inbox_page, name="inbox"),
        Route("/inbox/sync", inbox.sync_inbox, methods=["POST"], name="inbox_sync"),
        Route("/inbox/act", inbox.act_on_items, methods=["POST"], name="inbox_act"),
        Route("/models", deploy.models_page, name="models"),
        Route("/models/train", deploy.train_and_deploy, methods=["POST"], name="model_train"),
        Route("/models/rollback", deploy.roll_back, methods=["POST"], name="model_rollback"),
        Route("/models/runs/{run_id:int}", deploy.run_page, name="model_run"),
        Route("/models/runs/{run_id:int}/status", deploy.run_status, name="model_run_status"),
    ]
