"""The staff workspace (/admin): accounts, answers, the inbox, train and deploy.

Each module serves one part; this one only lists the routes.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.staff_models import EDITOR
from web.admin import auth, users
from web.admin import deploy as model_deploy
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
        Route("/models", model_deploy.models_page, name="models"),
        Route("/models/train", model_deploy.train_and_deploy, methods=["POST"], name="model_train"),
        Route("/models/rollback", model_deploy.roll_back, methods=["POST"], name="model_rollback"),
        Route("/models/runs/{run_id:int}", model_deploy.run_page, name="model_run"),
        Route("/models/runs/{run_id:int}/status", model_deploy.run_status, name="model_run_status"),
    ]
